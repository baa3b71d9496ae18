/**
 * Looking at jobs and moving them by hand: getJob, attempts, per-queue stats, cancel, requeue,
 * and the retention sweep. Reads are plain commands; every move is one Lua script.
 */
import { EnqueueError } from "../base/errors.js";
import { activeContext, type QueueEnv } from "./context.js";
import { decodeJob } from "./job-codec.js";
import { knownQueueNames, listedQueuesByJobTag, locateJob, runJobScriptById } from "./find-job.js";
import { runJobScript } from "./job-scripts.js";
import { readPerTag } from "../redis/tag-pipeline.js";
import { scriptResult } from "../redis/script-results.js";
import type { FinalFailure } from "./lifecycle.js";
import type { AttemptRecord, Job } from "./types.js";
import { scheduleKeys } from "../redis/schedule-keys.js";
import { jobField } from "./job-fields.js";

export interface QueueCounts {
  /** Jobs waiting in the queue for a worker (status "queued"). */
  queued: number;
  /** @deprecated use queued (the same count, under RQ's word; kept for getQueueStats() callers) */
  pending: number;
  started: number;
  failed: number;
  scheduled: number;
  finished: number;
  canceled: number;
  /** Waiting on dependencies (enqueue's dependsOn). */
  deferred: number;
}

/**
 * The job with its children (ids of jobs enqueued from inside it, newest CHILDREN_KEPT), in one
 * round trip. `statusRecord` is its last setStatus() record, `cancelReason` why the queue
 * canceled it.
 */
export async function getJobWith(env: QueueEnv, id: string): Promise<Job | null> {
  // on the tag of every known queue (find-job.ts): the id alone does not say which
  const found = await locateJob(env, id, (pipe, tag) => pipe.lrange(env.keys.children(id, tag), 0, -1));
  if (!found) return null;
  const job = decodeJob(found.hash, id);
  const ids = found.more[0] as string[];
  if (ids.length > 0) job.children = ids;
  return job;
}

export function getJob(id: string): Promise<Job | null> {
  return getJobWith(activeContext(), id);
}

/**
 * The job's attempt history, oldest first (capped; see ATTEMPTS_KEPT). A job that finished at
 * its first attempt stores no list (complete.lua): its record is read from the job itself.
 */
export async function getJobAttempts(id: string, env: QueueEnv = activeContext()): Promise<AttemptRecord[]> {
  const found = await locateJob(env, id, (pipe, tag) => pipe.lrange(env.keys.attempts(id, tag), 0, -1));
  const rows = (found?.more[0] as string[] | undefined) ?? [];
  if (rows.length > 0) return rows.map((r) => JSON.parse(r) as AttemptRecord);
  const h = found?.hash ?? {};
  if (h[jobField.status] !== "finished" || h[jobField.attempt] !== "1") return [];
  return [{ attempt: 1, worker: h[jobField.worker] ?? "", startedAt: Number(h[jobField.startedAt]), endedAt: Number(h[jobField.endedAt]), outcome: "finished" }];
}

/**
 * The final failure of a job failed outside failJob (the reaper's `failed` ids: abandoned by a
 * dead worker), for failure handlers: job, error and attempts in one round trip; null when the
 * job is gone or not failed.
 */
export async function readFinalFailure(env: QueueEnv, id: string): Promise<FinalFailure | null> {
  const found = await locateJob(env, id, (pipe, tag) => pipe.lrange(env.keys.attempts(id, tag), 0, -1));
  const h = found?.hash;
  const rows = (found?.more[0] as string[] | undefined) ?? [];
  if (!h || h.status !== "failed") return null;
  const job = decodeJob(h, id);
  const schedulePaused = await pauseNoteOf(env, job);
  return {
    job,
    error: job.error ?? { name: "Error", message: "failed (no error recorded)" },
    attempts: job.attempt,
    history: rows.map((r) => JSON.parse(r) as AttemptRecord),
    canceledDependents: [],
    ...(schedulePaused ? { schedulePaused } : {}),
  };
}

/** The pause note when this job's failure paused its schedule (pauseOnFailure; reaped jobs). */
async function pauseNoteOf(env: QueueEnv, job: Job): Promise<string | undefined> {
  if (!job.task || job.scheduledFor === undefined) return undefined;
  const raw = await env.redis.hget(scheduleKeys(env.keys).pause(), job.task);
  const rec = raw ? (JSON.parse(raw) as { note?: string; jobId?: string }) : undefined;
  return rec?.jobId === job.id ? rec.note : undefined;
}

/** Every queue that is configured or ever held a job. */
export function knownQueues(env: QueueEnv): Promise<string[]> {
  return knownQueueNames(env);
}

/** Counts per queue in one pipeline per job tag (RQ: len(q), len(q.failed_job_registry), ...). */
export async function getQueueStatsWith(env: QueueEnv): Promise<Record<string, QueueCounts>> {
  const queues = await knownQueues(env);
  const k = env.keys;
  const replies = await readPerTag(env.redis, queues, (q) => k.jobTag(q), (pipe, q) => {
    pipe.llen(k.queue(q)).zcard(k.started(q)).zcard(k.failed(q)).zcard(k.scheduled(q)).zcard(k.finished(q)).zcard(k.canceled(q)).zcard(k.deferred(q));
  });
  const stats: Record<string, QueueCounts> = {};
  queues.forEach((q, i) => {
    const [queued, started, failed, scheduled, finished, canceled, deferred] = replies[i]!.map(Number) as number[];
    stats[q] = { queued: queued!, pending: queued!, started: started!, failed: failed!, scheduled: scheduled!, finished: finished!, canceled: canceled!, deferred: deferred! };
  });
  return stats;
}

export function getQueueStats(): Promise<Record<string, QueueCounts>> {
  return getQueueStatsWith(activeContext());
}

/**
 * Cancel a job. One that has not started (queued, scheduled, deferred) is canceled at once:
 * "canceled". A started one is flagged and "stopping": its worker's supervisor sees the flag
 * with its next heartbeat (2 s), aborts the job's signal (currentJob().signal) with a
 * JobCanceledError, and kills its child process if the task has not stopped within the cancel
 * grace (5 s); either way the job ends canceled, not failed, and is not retried. Jobs that
 * depend on it are canceled too ("dependency <id> failed"), unless they allow failure.
 */
export async function cancel(id: string, env: QueueEnv = activeContext()): Promise<"canceled" | "stopping"> {
  const raw = await runJobScriptById(env, id, "cancel", [id, env.retention.failed * 1000]);
  const res = raw === undefined ? "missing" : scriptResult.cancel(raw).answer;
  if (res === "ok") return "canceled";
  // A running job is flagged; its worker stops it (src/worker/supervisor/cancel-relay.ts).
  if (res === "requested") return "stopping";
  if (res === "missing") throw new EnqueueError("NO_SUCH_JOB", `cancel: no job with id "${id}"`);
  throw new EnqueueError("JOB_ENDED", `cancel: job "${id}" already ended (${res})`);
}

/** Put a failed or canceled job back on its queue; its attempt history is kept. */
export async function requeue(id: string, env: QueueEnv = activeContext()): Promise<void> {
  const raw = await runJobScriptById(env, id, "requeue", [id]);
  const res = raw === undefined ? "missing" : scriptResult.requeue(raw).answer;
  if (res === "ok") return;
  if (res === "missing") throw new EnqueueError("NO_SUCH_JOB", `requeue: no job with id "${id}"`);
  throw new EnqueueError("JOB_NOT_REQUEUABLE", `requeue: job "${id}" is ${res}; only failed or canceled jobs can be requeued`);
}

/**
 * Retention sweep: expired finished/failed/canceled entries and their hashes, bounded per call
 * (`limit` per registry); also settles the `limit` oldest deferred jobs of each queue whose
 * dependency ended without settling them (see clean.lua). Returns the number of jobs removed.
 *
 * complete/fail already trim TRIM_BOUND expired entries each, so under steady load this is a
 * backstop: run it about once a minute from one process (the scheduler leader's tick). Cost:
 * one script whose time grows with the expired entries removed (each DEL of a hash, its
 * attempts and children) plus, per queue, one ZRANGE of deferred jobs and an SISMEMBER per
 * dependency of each. Measured (bench/queue-deps.mjs, 2 cores): 7-25 ms to look at 1000
 * deferred jobs, 7-50 ms to remove 1000 expired jobs; Redis is blocked meanwhile, so keep
 * `limit` in the hundreds to low thousands.
 */
export async function cleanRegistries(env: QueueEnv, o: { limit?: number } = {}): Promise<number> {
  // the queues set is read here, not in the script: one call per job tag (issue 17)
  const groups = await listedQueuesByJobTag(env);
  const counts = await Promise.all(groups.map(async ({ tag, items: queues }) => scriptResult.clean(await runJobScript(env, "clean", [o.limit ?? 1000, ...queues], [], tag))));
  return counts.reduce((a, b) => a + b, 0);
}
