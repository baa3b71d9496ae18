/**
 * What the supervisor does with the jobs of a child process that is gone, by why it is gone:
 *
 * - it was killed at a job's hard deadline: that job fails with the timeout error (a failed
 *   attempt like any other: it is retried when the job has a retry policy), and the child's other
 *   jobs, innocent bystanders, go back to the front of their queues without counting a stall;
 * - it was killed by a forced shutdown: every job goes back to the front, no stall counted;
 * - it died on its own (crash, OOM kill, `process.exit` in a task): its jobs are handled at once
 *   the way the reaper handles a dead worker's jobs, so a job that kills its worker again and
 *   again is failed "abandoned" once past the stall limit instead of crash-looping the pool.
 *
 * Every move is one of the queue's atomic scripts, checked against the lease owner, so a job the
 * child managed to complete just before it died is left alone ("lease-lost").
 */
import type { QueueEnv } from "../queue/context.js";
import type { Job } from "../queue/types.js";
import { decodeJob } from "../queue/job-codec.js";
import { locateJob } from "../queue/find-job.js";
import { failJob, heartbeat, reapStalled, requeueJob } from "../queue/lifecycle.js";
import { JobTimeoutError } from "../base/errors.js";
import type { FailureHandlers } from "./failure-handlers.js";

export interface LostJob {
  id: string;
  queue: string;
  /** The timeout message for a hard-timeout victim. */
  limit?: string;
}

export async function loadJob(env: QueueEnv, id: string): Promise<Job | null> {
  // by id alone: on whichever queue's tag the job is (find-job.ts)
  const found = await locateJob(env, id);
  return found ? decodeJob(found.hash, id) : null;
}

/**
 * Fail a job whose hard deadline passed. Returns failJob's answer, or "missing". With `failures`,
 * a final failure (no retry left) starts the failure handlers.
 */
export async function failTimedOut(env: QueueEnv, worker: string, lost: LostJob, failures?: FailureHandlers): Promise<string> {
  const job = await loadJob(env, lost.id);
  if (!job) return "missing";
  const error = new JobTimeoutError(lost.limit ?? "timed out");
  const input = { job, worker, error, reason: "timeout" as const };
  return failures ? failures.fail(input) : failJob(env, input);
}

/** Give jobs back to the front of their queues (not the jobs' fault). Returns the ids moved. */
export async function requeueJobs(env: QueueEnv, worker: string, jobs: LostJob[], reason: string): Promise<string[]> {
  const moved: string[] = [];
  for (const lost of jobs) {
    const job = await loadJob(env, lost.id);
    if (job && (await requeueJob(env, { job, worker, reason }))) moved.push(lost.id);
  }
  return moved;
}

/**
 * A child died on its own: end the leases of its jobs now (a lease of 0 ms from this instant)
 * and reap them, which requeues each with stalls+1 or fails it "abandoned: worker X died at T:
 * <cause>" past the stall limit. Only these jobs: other expired leases are the periodic
 * reaper's, which first makes sure this supervisor was not cut off itself (reap-gate.ts).
 */
export async function abandon(
  env: QueueEnv,
  worker: string,
  jobs: LostJob[],
  stallLimit: number,
  failures?: FailureHandlers,
  /** Why the worker died (death-cause.ts), added to each job's reason. */
  cause?: string,
): Promise<{ requeued: string[]; failed: string[] }> {
  if (jobs.length === 0) return { requeued: [], failed: [] };
  await heartbeat(env, { worker, jobs: jobs.map(({ id, queue }) => ({ id, queue })), leaseMs: 0 });
  const causes = cause === undefined ? undefined : new Map(jobs.map((j) => [j.id, cause]));
  const result = await reapStalled(env, { stallLimit, only: jobs.map(({ id, queue }) => ({ id, queue })), ...(causes ? { causes } : {}) });
  // The reap script returns each id it failed to exactly one caller: notify those once.
  failures?.notifyReaped(result.failed);
  return result;
}
