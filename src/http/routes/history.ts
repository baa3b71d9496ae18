/** GET /api/metrics/history?queue=&task=&from=&to=&step=: the per-minute history as chart points (docs/metrics.md). */
import type { FastifyInstance } from "fastify";
import type { HttpDeps } from "../types.js";
import { HistoryQueryError, parseHistoryQuery, readHistory } from "../metrics/history.js";

export async function registerHistoryRoute(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  app.get("/api/metrics/history", async (req, reply) => {
    let query;
    try {
      query = parseHistoryQuery(req.query as Record<string, string | undefined>, deps.clock());
    } catch (err) {
      if (err instanceof HistoryQueryError) return reply.code(400).send({ error: err.message });
      throw err;
    }
    return readHistory(deps.redis, deps.keys, query, Object.keys(deps.config.queues), deps.tasks);
  });
}
