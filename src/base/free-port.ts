/**
 * A TCP port nothing listens on now: bind port 0 on 127.0.0.1, read what the OS gave, close.
 * Racy by nature (another process may take it before the caller binds); good enough for an
 * embedded redis-server on loopback and for tests.
 */
import { createServer } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("freePort: the OS assigned no port"))));
    });
  });
}
