/**
 * The one place routes are registered on the HTTP server, one line per module. The console
 * (pages and its JSON API) plugs in here too.
 */
import type { FastifyInstance } from "fastify";
import type { HttpDeps } from "./types.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerMetricsRoute } from "./metrics/route.js";
import { registerHistoryRoute } from "./routes/history.js";

export async function registerRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  await registerHealthRoutes(app, deps);
  await registerMetricsRoute(app, deps);
  await registerHistoryRoute(app, deps);
}
