/**
 * Reference: "Chunked Enqueueing". One call; chunk jobs are `${jobIdPrefix}:${i}`, deduplicated
 * (calling it twice does not double the work) and written atomically. The group handle's
 * progress() comes from the jobs' statuses; chunks may still publish live updates.
 */
import { enqueueChunks, publishRealtime, subscribe } from "../src/index.js";

export function enqueue_bulk_operation({ items, operationId }: { items: string[]; operationId: string }) {
  return enqueueChunks("examples.chunked_enqueueing.process_chunk", items, {
    size: 50,
    queue: "long",
    jobIdPrefix: `bulk_op:${operationId}`,
  });
}

export async function process_chunk({ items, chunk_number }: { items: string[]; chunk_number: number }) {
  for (const item of items) void item; // process_item(item)
  await publishRealtime("bulk_progress", { chunk: chunk_number, completed: items.length });
  return items.length;
}

/** A browser bridge or CLI would listen like this (returns the unsubscribe function). */
export function watchBulkProgress(onUpdate: (u: { chunk: number; completed: number }) => void) {
  return subscribe<{ chunk: number; completed: number }>("bulk_progress", onUpdate);
}
