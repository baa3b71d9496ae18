/**
 * Reference: "Retry Pattern". The queue retries for you: 1, 2, 4 minutes by default with
 * exponential backoff; the attempt history is kept on the job. Throw UnrecoverableError to
 * fail at once (bad input will not get better by waiting).
 */
import { enqueue, UnrecoverableError } from "../src/index.js";

export function enqueueWithRetry(dataId: string) {
  return enqueue("examples.retry.job_with_retry", {
    dataId,
    retry: { max: 3, backoff: "exponential", delay: 60 }, // seconds: 60, 120, 240
    enqueueAfterCommit: true,
  });
}

export async function job_with_retry({ dataId }: { dataId: string }) {
  if (!dataId) throw new UnrecoverableError("dataId is required");
  // process_data(dataId): a thrown error schedules the next attempt; after the last, the job
  // fails and job_failure_handlers run once (see error_notification.ts).
  return dataId;
}
