/**
 * Looking at jobs and moving them by hand: getJob, attempts, per-queue stats, cancel, requeue,
 * and the retention sweep. Reads are plain commands; every move is one Lua script.
 */
import { EnqueueError } from "../errors.js";
import { activeContext, type QueueEnv } from "./context.js";
import { decodeJob } from "./job-codec.js";
import { runJobScript } from "./keyspace.js";
import type { AttemptRecord, Job } from "./types.js";

export interface QueueCounts {
  pending: number;
  started: number;
  failed: number;
  scheduled: number;
  finished: number;
  canceled: number;
}

export async function getJobIn(env: QueueEnv, id: string): Promise<Job | null> {
  const h = await env.redis.hgetall(env.keys.job(id));
  return h && h.id ? decodeJob(h) : null;
}

export function getJob(id: string): Promise<Job | null> {
  return getJobIn(activeContext(), id);
}

/** The job's attempt history, oldest first (capped; see ATTEMPTS_KEPT). */
export async function getJobAttempts(id: string, env: QueueEnv = activeContext()): Promise<AttemptRecord[]> {
  const rows = await env.redis.lrange(env.keys.attempts(id), 0, -1);
  return rows.map((r) => JSON.parse(r) as AttemptRecord);
}

/** Every queue that is configured or ever held a job. */
export async function knownQueues(env: QueueEnv): Promise<string[]> {
  const seen = await env.redis.smembers(env.keys.queues());
  return [...new Set([...Object.keys(env.queues), ...seen])].sort();
}

/** Counts per queue in one pipeline (RQ: len(q), len(q.failed_job_registry), ...). */
export async function getQueueStatsIn(env: QueueEnv): Promise<Record<string, QueueCounts>> {
  const queues = await knownQueues(env);
  const k = env.keys;
  const pipe = env.redis.pipeline();
  for (const q of queues) {
    pipe.llen(k.queue(q)).zcard(k.started(q)).zcard(k.failed(q)).zcard(k.scheduled(q)).zcard(k.finished(q)).zcard(k.canceled(q));
  }
  const replies = (await pipe.exec()) ?? [];
  const n = (i: number): number => {
    const [err, v] = replies[i] ?? [null, 0];
    if (err) throw err;
    return Number(v);
  };
  const stats: Record<string, QueueCounts> = {};
  queues.forEach((q, i) => {
    const b = i * 6;
    stats[q] = { pending: n(b), started: n(b + 1), failed: n(b + 2), scheduled: n(b + 3), finished: n(b + 4), canceled: n(b + 5) };
  });
  return stats;
}

export function getQueueStats(): Promise<Record<string, QueueCounts>> {
  return getQueueStatsIn(activeContext());
}

/**
 * Cancel a job that has not started (queued, scheduled, deferred). A started job is refused:
 * there is no cooperative abort across processes yet; stop it by its worker instead.
 */
export async function cancel(id: string, env: QueueEnv = activeContext()): Promise<void> {
  const res = await runJobScript<string>(env, "cancel", [id, env.retention.failed * 1000]);
  if (res === "ok") return;
  if (res === "missing") throw new EnqueueError("NO_SUCH_JOB", `cancel: no job with id "${id}"`);
  if (res === "started") {
    throw new EnqueueError("JOB_STARTED", `cancel: job "${id}" is running and cannot be canceled`, {
      hint: "wait for it to end, or stop its worker (the job is then requeued or failed)",
    });
  }
  throw new EnqueueError("JOB_ENDED", `cancel: job "${id}" already ended (${res})`);
}

/** Put a failed or canceled job back on its queue; its attempt history is kept. */
export async function requeue(id: string, env: QueueEnv = activeContext()): Promise<void> {
  const res = await runJobScript<string>(env, "requeue", [id]);
  if (res === "ok") return;
  if (res === "missing") throw new EnqueueError("NO_SUCH_JOB", `requeue: no job with id "${id}"`);
  throw new EnqueueError("JOB_NOT_REQUEUABLE", `requeue: job "${id}" is ${res}; only failed or canceled jobs can be requeued`);
}

/** Retention sweep: expired finished/failed/canceled entries and their hashes, bounded per call. */
export async function cleanRegistries(env: QueueEnv, o: { limit?: number } = {}): Promise<number> {
  return runJobScript<number>(env, "clean", [o.limit ?? 1000]);
}
