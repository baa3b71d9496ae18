/**
 * A Fastify server with only the console on it: the seam the browser tests start next to a real
 * daemon (the daemon's own server, with /metrics and the rest, registers the console the same
 * way). Refuses a non-loopback bind without a token, as the daemon does.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { checkBind } from "../security.js";
import { registerConsole, type ConsoleOptions } from "./register.js";

export interface ConsoleServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export async function startConsoleServer(o: { host: string; port: number; deps: ConsoleOptions }): Promise<ConsoleServer> {
  const refused = checkBind(o.host, o.deps.token);
  if (refused) throw new Error(refused);
  const app = Fastify({ logger: false });
  await registerConsole(app, o.deps);
  await app.listen({ host: o.host, port: o.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : o.port;
  const host = o.host.includes(":") ? `[${o.host}]` : o.host;
  return { app, url: `http://${host}:${port}`, close: () => app.close() };
}
