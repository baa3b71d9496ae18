/**
 * The HTTP server of a daemon (`scheduler start`) or of `scheduler serve`: Fastify, with the
 * routes of routes.ts. A port already taken is a warning naming it, not a crash: the daemon's
 * real work is the scheduler and the workers, which must not stop because a second daemon on
 * the same host wanted the same port.
 */
import Fastify, { type FastifyInstance } from "fastify";
import type { HttpDeps } from "./types.js";
import { registerRoutes } from "./routes.js";

export const DEFAULT_HTTP = "127.0.0.1:7070";

export interface HttpAddress {
  host: string;
  port: number;
}

export interface HttpHandle {
  /** e.g. http://127.0.0.1:7070 (the port actually bound when 0 was asked). */
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** "HOST:PORT", ":PORT", "PORT" or "[::1]:PORT"; undefined with a message when it is none of these. */
export function parseHttpAddress(raw: string): HttpAddress | { error: string } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(raw) ?? (/^(\d+)$/.test(raw) ? [raw, undefined, "", raw] : null);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    return { error: `--http: "${raw}" is not HOST:PORT (e.g. --http 127.0.0.1:7070, --http 0.0.0.0:9090, or --no-http)` };
  }
  return { host: m[1] ?? (m[2] || "127.0.0.1"), port };
}

export interface StartHttpOptions {
  address: HttpAddress;
  warn(message: string): void;
}

/** Listen; resolves to undefined (after a warning) when the address cannot be bound. */
export async function startHttpServer(deps: HttpDeps, o: StartHttpOptions): Promise<HttpHandle | undefined> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await registerRoutes(app, deps);
  try {
    await app.listen({ host: o.address.host, port: o.address.port });
  } catch (err) {
    await app.close().catch(() => {});
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${o.address.host}:${o.address.port}`;
    if (code === "EADDRINUSE") o.warn(`http: ${where} is already in use; running without the HTTP server (pick another with --http HOST:PORT, or --no-http)`);
    else o.warn(`http: cannot listen on ${where}: ${err instanceof Error ? err.message : String(err)}; running without the HTTP server`);
    return undefined;
  }
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : o.address.port;
  const host = o.address.host.includes(":") ? `[${o.address.host}]` : o.address.host;
  return { url: `http://${host}:${port}`, app, close: () => app.close() };
}
