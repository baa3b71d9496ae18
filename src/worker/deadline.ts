/**
 * How long a job may run, and the words used when it runs over (pure).
 *
 * The limit is the job's own timeout when it has one, else its queue's. The child aborts the
 * job's signal a little before the limit (the soft timeout, for tasks that cooperate); the
 * supervisor kills the child at the limit itself (the hard timeout, for tasks that do not, such
 * as a `while (true) {}` that blocks the child's event loop).
 */
import type { QueueConfig } from "../config/types.js";
import type { Job } from "../queue/types.js";
import { queueSettings } from "../config/partition-names.js";

/** Used when neither the job nor the queue configuration names a timeout (Frappe's default). */
export const FALLBACK_TIMEOUT_SECONDS = 300;

export interface JobLimit {
  seconds: number;
  /** Where the limit comes from, for the error message: "job timeout" or "queue short timeout". */
  source: string;
}

export function jobLimit(job: Pick<Job, "timeout" | "queue">, queues: Record<string, QueueConfig>): JobLimit {
  if (typeof job.timeout === "number" && Number.isFinite(job.timeout) && job.timeout > 0) {
    const queueTimeout = queueSettings(queues, job.queue)?.timeout;
    // enqueue copies the queue's default onto the job; say "queue" when that is where it came from.
    const source = queueTimeout === job.timeout ? `queue ${job.queue} timeout` : "job timeout";
    return { seconds: job.timeout, source };
  }
  const queueTimeout = queueSettings(queues, job.queue)?.timeout;
  if (typeof queueTimeout === "number" && queueTimeout > 0) {
    return { seconds: queueTimeout, source: `queue ${job.queue} timeout` };
  }
  return { seconds: FALLBACK_TIMEOUT_SECONDS, source: "default timeout" };
}

/** The hard deadline (ms) of a job that started at `startedAt`. */
export function hardDeadline(startedAt: number, limit: JobLimit): number {
  return startedAt + limit.seconds * 1000;
}

/**
 * When the child aborts the job's signal: 10% of the limit before the hard kill, at least 100 ms
 * and at most 2 s before it, so a cooperative task has time to stop and report.
 */
export function softDeadline(startedAt: number, limit: JobLimit): number {
  const totalMs = limit.seconds * 1000;
  const margin = Math.min(2000, Math.max(100, totalMs * 0.1));
  return startedAt + Math.max(0, totalMs - margin);
}

/** "timed out after 5 s (queue short timeout)". */
export function timeoutMessage(limit: JobLimit): string {
  return `timed out after ${formatSeconds(limit.seconds)} (${limit.source})`;
}

function formatSeconds(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds} s` : `${seconds.toFixed(1)} s`;
}
