/**
 * GET /api/workers: every live worker (host, pid, queues, state, counts, last heartbeat) with
 * its current jobs' elapsed time against their timeout, and the supervisors' recent restarts
 * and deaths from the events stream.
 */
import type { FastifyInstance } from "fastify";
import { workerOverview } from "../../ops/workers.js";
import { readEvents } from "../../log/read-events.js";
import type { ApiContext } from "./context.js";
import { jobField } from "../../queue/job-fields.js";

/** Restart and death events listed. */
const RESTARTS_SHOWN = 20;

export async function readWorkers(ctx: ApiContext) {
  const { env } = ctx;
  const now = env.clock();
  const workers = await workerOverview(env);
  const ids = [...new Set(workers.flatMap((w) => w.currentJobs))];
  const pipe = env.redis.pipeline();
  for (const id of ids) pipe.hmget(env.keys.job(id), jobField.method, jobField.startedAt, jobField.timeout);
  const rows = ids.length ? ((await pipe.exec()) ?? []) : [];
  const jobs = new Map(
    ids.map((id, i) => {
      const [method, startedAt, timeout] = (rows[i]?.[1] as Array<string | null> | undefined) ?? [];
      const started = Number(startedAt);
      return [id, { id, method: method ?? undefined, elapsedMs: Number.isFinite(started) && started > 0 ? Math.max(0, now - started) : undefined, timeoutMs: timeout ? Number(timeout) * 1000 : undefined }];
    }),
  );
  const [restarts, deaths] = await Promise.all([
    readEvents(env.redis, env.keys, { count: RESTARTS_SHOWN, filter: { type: "child." } }),
    readEvents(env.redis, env.keys, { count: RESTARTS_SHOWN, filter: { type: "worker.down" } }),
  ]);
  const history = [...restarts, ...deaths].sort((a, b) => b.at - a.at).slice(0, RESTARTS_SHOWN);
  return {
    at: now,
    workers: workers.map((w) => ({ ...w, jobs: w.currentJobs.map((id) => jobs.get(id) ?? { id }) })),
    restarts: history.map((e) => ({ at: e.at, type: e.type, level: e.level, worker: e.worker, msg: e.msg })),
  };
}

export function registerWorkers(app: FastifyInstance, ctx: ApiContext): void {
  app.get("/api/workers", async () => readWorkers(ctx));
}
