/**
 * `scheduler jobs retry --failed`: requeue every failed job (of one queue or all). Each requeue
 * is the queue's own atomic script; a job that left the failed registry meanwhile (retried by
 * someone else, expired) is counted as skipped, not as an error.
 */
import type { QueueEnv } from "../queue/context.js";
import { knownQueues, requeue } from "../queue/registry.js";
import { partitionsListed } from "../config/partition-names.js";
import { SchedulerError } from "../base/errors.js";

export interface RetryOutcome {
  requeued: string[];
  skipped: number;
}

/** Requeues in flight at once (one connection; commands pipeline on the socket). */
const PARALLEL = 100;

export async function retryFailed(env: QueueEnv, o: { queue?: string } = {}): Promise<RetryOutcome> {
  const queues = o.queue ? partitionsListed(await knownQueues(env), o.queue) : await knownQueues(env);
  const out: RetryOutcome = { requeued: [], skipped: 0 };
  for (const q of queues) {
    // A snapshot of the registry: requeue removes entries as it goes.
    const ids = await env.redis.zrange(env.keys.failed(q), 0, -1);
    for (let i = 0; i < ids.length; i += PARALLEL) {
      const batch = ids.slice(i, i + PARALLEL);
      const results = await Promise.allSettled(batch.map((id) => requeue(id, env)));
      results.forEach((r, k) => {
        if (r.status === "fulfilled") out.requeued.push(batch[k]!);
        else if (r.reason instanceof SchedulerError) out.skipped++;
        else throw r.reason;
      });
    }
  }
  return out;
}
