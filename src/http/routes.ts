/**
 * The one place routes are registered on the HTTP server, one line per module. The console
 * (pages and its JSON API) plugs in here too.
 */
import type { FastifyInstance } from "fastify";
import type { HttpDeps } from "./types.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerMetricsRoute } from "./metrics/route.js";
import { registerHistoryRoute } from "./routes/history.js";
import { registerConsole } from "./console/register.js";

export async function registerRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  // First and on the root instance: its security hooks (token, same-origin POSTs, read-only,
  // CSP) then guard every route below, the metrics history included.
  await registerConsole(app, deps);
  await registerHealthRoutes(app, deps);
  await registerMetricsRoute(app, deps);
  await registerHistoryRoute(app, deps);
}
