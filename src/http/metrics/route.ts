/**
 * GET /metrics: Prometheus text format; with `Accept: application/json`, the same figures as
 * prom-client's JSON (what `scheduler metrics --json` prints).
 */
import type { FastifyInstance } from "fastify";
import type { HttpDeps } from "../types.js";
import { createMetrics } from "./registry.js";

export async function registerMetricsRoute(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const metrics = createMetrics(deps);
  app.get("/metrics", async (req, reply) => {
    await metrics.scrape();
    if ((req.headers.accept ?? "").includes("application/json")) {
      return reply.type("application/json").send(await metrics.registry.getMetricsAsJSON());
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
