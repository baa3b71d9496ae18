/**
 * Jobs this child leased without knowing it. A dequeue whose answer was lost (Redis crashed or
 * the connection dropped after the script ran, before the reply arrived; ioredis may also send
 * the dequeue again after reconnecting) leaves a job leased to this worker that it does not run.
 * Left alone, it would sit until its lease lapsed and then be requeued as "worker died" with a
 * stall counted, though no worker died. So after the connection was lost, once nothing of this
 * child can be taking a job (no dequeue or completion-with-take in flight), the child reads its
 * leases in Redis and requeues at once, without a stall, every job it holds but does not run.
 */
import type { QueueEnv } from "../../queue/context.js";
import { leasedJobs } from "../leased-jobs.js";
import { requeueJobs } from "../recovery.js";

export const LOST_DEQUEUE_REASON = "its worker lost the answer of the dequeue that leased it (Redis connection lost)";

/** Requeue the jobs leased to `worker` in `queues` that are not in `running`. Returns their ids. */
export async function requeueLostDequeues(env: QueueEnv, worker: string, queues: string[], running: ReadonlySet<string>): Promise<string[]> {
  const leased = await leasedJobs(env, worker, queues);
  const lost = leased.filter((j) => !running.has(j.id));
  if (lost.length === 0) return [];
  return requeueJobs(env, worker, lost, LOST_DEQUEUE_REASON);
}
