/**
 * Batch processing: `forEachBatch(source, { size }, fn)` pages through a data set by keyset
 * (a cursor: "rows after this key"), not by OFFSET.
 *
 * The reference pages with `limit_start=offset` over rows filtered by status "Pending" while the
 * loop itself moves rows out of that filter: after the first batch the remaining rows shift down
 * by `size`, the offset jumps past them, and half of the rows are never processed. A cursor
 * names a position in the key order, which does not move when rows leave the set.
 *
 * Inside a job, progress goes to the job (publishProgress) when `total` is known, so
 * `scheduler jobs show` and realtime subscribers see it.
 */
import { SchedulerError } from "../base/errors.js";
import { EnqueueError } from "../base/errors.js";
import { currentJob } from "../runtime/job-context.js";

export interface Page<T, C> {
  items: T[];
  /** Cursor for the next page; null/undefined when this was the last one. */
  nextCursor?: C | null;
}

/** Fetch up to `size` items after `cursor` (undefined: from the start), in key order. */
export type BatchSource<T, C> = (cursor: C | undefined, size: number) => Promise<Page<T, C>> | Page<T, C>;

export interface BatchProgress {
  batch: number;
  processed: number;
  total?: number;
  percent?: number;
}

export interface ForEachBatchOptions {
  size: number;
  /** Expected item count (e.g. a COUNT query), for percentages. */
  total?: number;
  /** Title of the job progress published inside a job (default "Processing batches"). */
  title?: string;
  onProgress?: (progress: BatchProgress) => void | Promise<void>;
  /** Checked between batches (pass currentJob()?.signal so a timeout stops the loop). */
  signal?: AbortSignal;
}

export interface BatchInfo {
  /** 0-based batch number. */
  batch: number;
  /** Items processed before this batch. */
  processed: number;
}

export async function forEachBatch<T, C>(
  source: BatchSource<T, C>,
  options: ForEachBatchOptions,
  fn: (items: T[], info: BatchInfo) => unknown,
): Promise<{ batches: number; processed: number }> {
  const { size, total } = options;
  if (!Number.isInteger(size) || size < 1) {
    throw new EnqueueError("BAD_ARGUMENT", `forEachBatch: size must be an integer >= 1, got ${String(size)}`);
  }
  const job = currentJob();
  let cursor: C | undefined;
  let batch = 0;
  let processed = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const page = await source(cursor, size);
    if (!page || !Array.isArray(page.items)) {
      throw new SchedulerError("BAD_SOURCE", `forEachBatch: source must return { items: [...], nextCursor }, got ${JSON.stringify(page)}`);
    }
    if (page.items.length === 0) break;
    await fn(page.items, { batch, processed });
    processed += page.items.length;
    batch += 1;
    const percent = total && total > 0 ? Math.min(100, (processed / total) * 100) : undefined;
    await options.onProgress?.({ batch, processed, total, percent });
    if (job && percent !== undefined) {
      await job.publishProgress({
        percent,
        title: options.title ?? "Processing batches",
        description: `Processed ${processed} of ${total}`,
      });
    }
    const next = page.nextCursor;
    if (next === undefined || next === null) break;
    if (cursor !== undefined && Object.is(next, cursor)) {
      throw new SchedulerError("BAD_SOURCE", `forEachBatch: source returned the same cursor twice (${String(next)}); it would loop forever`, {
        hint: "return the key of the last item as nextCursor, and fetch items with key > cursor",
      });
    }
    cursor = next;
  }
  return { batches: batch, processed };
}

/**
 * A source from a "rows after key, ordered by key, limit n" query and the key of a row:
 * `keyset((after, n) => db.query("... WHERE status='Pending' AND id > $1 ORDER BY id LIMIT $2", [after ?? 0, n]), (r) => r.id)`.
 */
export function keysetSource<T, C>(fetch: (after: C | undefined, limit: number) => Promise<T[]> | T[], keyOf: (item: T) => C): BatchSource<T, C> {
  return async (cursor, size) => {
    const items = await fetch(cursor, size);
    const last = items.at(-1);
    return { items, nextCursor: items.length < size || last === undefined ? null : keyOf(last) };
  };
}
