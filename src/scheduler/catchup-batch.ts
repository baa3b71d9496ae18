/**
 * The minimal catch-up batch rule: the slots of one catch-up (policy `{ all: true }` firing a
 * gap's slots in one tick) do not skip each other as overlaps. Each slot's enqueue is told the
 * job the batch's previous slot enqueued, and enqueue.lua does not count that job as a live
 * previous run; a run still live from before the gap still makes the batch's first slot skip.
 * Without it, a 7-slot gap under the skip rule ran 1 slot and skipped 6 (issue 16).
 */
import type { ScheduledEnqueueResult } from "../queue/enqueue-scheduled.js";

/** The job the next slot of the batch may follow: the latest this batch enqueued. */
export function batchJobAfter(batchJob: string | undefined, result: ScheduledEnqueueResult): string | undefined {
  return result.outcome === "enqueued" ? result.job.id : batchJob;
}
