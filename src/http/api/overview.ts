/**
 * GET /api/overview: per queue counts, oldest queued age, busy/idle workers and failures of the
 * last hour; the scheduler's state and leader; the recent failures; what doctor would flag.
 *
 * Cost is fixed whatever the registries hold: the status read (one pipeline of LLEN/ZCARD per
 * queue), then one pipeline with, per queue, LINDEX 0 of the queue and a ZCOUNT of the failed
 * set, then one pipeline of HMGET for the oldest queued jobs and ZREVRANGE ... 0 9 of failures.
 */
import type { FastifyInstance } from "fastify";
import { readStatus } from "../../ops/status.js";
import { readJobs } from "../../ops/job-search.js";
import { readPerTag } from "../../redis/tag-pipeline.js";
import { describePersistence } from "../../ops/redis-info.js";
import type { ApiContext } from "./context.js";
import { listWarnings } from "./warnings.js";

const HOUR_MS = 3_600_000;
/** Recent failures listed on the overview. */
const FAILURES_SHOWN = 10;

export interface QueueOverview {
  name: string;
  counts: Record<string, number>;
  oldestQueuedAgeMs?: number;
  busyWorkers: number;
  idleWorkers: number;
  failedLastHour: number;
}

export async function readOverview(ctx: ApiContext) {
  const { env, deps } = ctx;
  const status = await readStatus(env);
  const now = env.clock();
  const names = [...new Set([...Object.keys(deps.config.queues), ...Object.keys(status.queues)])].sort();
  // Failed entries are scored by expiry (end + retention), so "ended in the last hour" is a
  // score range: no hash is read to count them.
  const failedSince = now - HOUR_MS + env.retention.failed * 1000;
  // one pipeline per job tag, sent together (src/redis/tag-pipeline.ts)
  const rows = await readPerTag(env.redis, names, (q) => env.keys.jobTag(q), (pipe, q) => {
    pipe.lindex(env.keys.queue(q), 0);
    pipe.zcount(env.keys.failed(q), failedSince, "+inf");
    pipe.zrevrangebyscore(env.keys.failed(q), "+inf", failedSince, "LIMIT", 0, FAILURES_SHOWN);
  });
  const oldestIds = names.map((_, i) => rows[i]![0] as string | null);
  const [oldestJobs, failedJobs] = await Promise.all([
    readJobs(env, names.flatMap((queue, i) => (oldestIds[i] ? [{ id: oldestIds[i]!, queue }] : []))),
    readJobs(env, names.flatMap((queue, i) => (rows[i]![2] as string[]).map((id) => ({ id, queue })))),
  ]);
  const oldestById = new Map(oldestJobs.map((j) => [j.id, j]));
  const queues: QueueOverview[] = names.map((name, i) => {
    const serving = status.workers.filter((w) => w.queues.includes(name));
    const oldest = oldestIds[i] ? oldestById.get(oldestIds[i]!) : undefined;
    const since = oldest?.enqueuedAt ?? oldest?.createdAt;
    return {
      name,
      counts: { ...(status.queues[name] ?? {}) } as Record<string, number>,
      ...(since !== undefined ? { oldestQueuedAgeMs: Math.max(0, now - since) } : {}),
      busyWorkers: serving.filter((w) => w.state === "busy").length,
      idleWorkers: serving.filter((w) => w.state !== "busy").length,
      failedLastHour: Number(rows[i]![1]),
    };
  });
  const failures = failedJobs
    .sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0))
    .slice(0, FAILURES_SHOWN)
    .map((j) => ({ id: j.id, method: j.method, queue: j.queue, endedAt: j.endedAt, error: j.error?.message }));
  return {
    at: now,
    prefix: env.keys.prefix,
    zone: deps.config.timezone,
    scheduler: status.scheduler,
    queues,
    workers: status.workers.length,
    failures,
    // masters: on a Redis Cluster, one entry per master (src/ops/masters.ts); absent on one server.
    redis: { version: status.redis.version, usedMemoryHuman: status.redis.usedMemoryHuman, persistence: describePersistence(status.redis), ...(status.masters ? { masters: status.masters } : {}) },
    warnings: [
      ...(ctx.hooksProblem ? [ctx.hooksProblem] : []),
      ...listWarnings({ status, queues, schedulerIntervalSeconds: deps.config.schedulerInterval, now, taskCount: ctx.tasks.length }),
    ],
  };
}

export function registerOverview(app: FastifyInstance, ctx: ApiContext): void {
  app.get("/api/overview", async () => readOverview(ctx));
}
