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
import type { Keys } from "../../redis/keys.js";
import { readPerTagSettled } from "../../redis/tag-pipeline.js";
import { knownQueueNames } from "../../queue/find-job.js";
import { partitionsListed } from "../../config/partition-names.js";

/** Restart and death events listed. */
const RESTARTS_SHOWN = 20;

/** A queue's job tag; none for a name that cannot be a tag (it never had keys). */
function tagOrNone(keys: Keys, queue: string): string[] {
  try {
    return [keys.jobTag(queue)];
  } catch {
    return [];
  }
}

export async function readWorkers(ctx: ApiContext) {
  const { env } = ctx;
  const now = env.clock();
  const workers = await workerOverview(env);
  // A current job is in one of its worker's queues: its hash is read on each of their job tags
  // (one pipeline per tag, sent together; on the installation layout one pipeline, as before).
  // A partitioned queue's job is in one of its partitions (src/config/partition-names.ts).
  const probes = new Map<string, { id: string; tag: string }>();
  const listed = env.keys.jobTags === "installation" ? [] : await knownQueueNames(env);
  for (const w of workers) {
    const served = w.queues.flatMap((q) => [q, ...partitionsListed(listed, q)]);
    const tags = env.keys.jobTags === "installation" ? [env.keys.root] : new Set(served.flatMap((q) => tagOrNone(env.keys, q)));
    for (const id of w.currentJobs) for (const tag of tags) probes.set(env.keys.job(id, tag), { id, tag });
  }
  const list = [...probes.values()];
  const rows = await readPerTagSettled(env.redis, list, (p) => p.tag, (pipe, p) => pipe.hmget(env.keys.job(p.id, p.tag), jobField.method, jobField.startedAt, jobField.timeout));
  const jobs = new Map<string, { id: string; method?: string; elapsedMs?: number; timeoutMs?: number }>();
  list.forEach(({ id }, i) => {
    const [method, startedAt, timeout] = (rows[i]?.[0]?.[1] as Array<string | null> | undefined) ?? [];
    // the tag that holds the job (its method is always set); another tag's empty answer is no job
    if (jobs.has(id) && method == null) return;
    const started = Number(startedAt);
    jobs.set(id, { id, method: method ?? undefined, elapsedMs: Number.isFinite(started) && started > 0 ? Math.max(0, now - started) : undefined, timeoutMs: timeout ? Number(timeout) * 1000 : undefined });
  });
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
