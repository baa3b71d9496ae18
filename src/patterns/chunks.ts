/**
 * Chunked enqueueing: `enqueueChunks(method, items, { size })` splits a large job into jobs of
 * `size` items each, and returns a group handle that tells how far they got.
 *
 * Compared with the reference's loop of frappe.enqueue calls:
 * - every chunk's job id is `${jobIdPrefix}:${i}` with deduplicate, so calling it again (a
 *   retried parent job, a double click) returns the live jobs instead of doubling the work;
 * - all chunks are written by one enqueue script, all or nothing (no half-enqueued group if
 *   Redis drops mid-loop); inside transaction() with enqueueAfterCommit they wait for it;
 * - progress is computed from the jobs' own statuses (one pipeline), not from counters the
 *   chunk tasks must remember to publish.
 *
 * Each chunk's task receives `{ ...kwargs, items, chunk_number, chunk_count }`.
 */
import { randomUUID } from "node:crypto";
import { EnqueueError, SchedulerError } from "../base/errors.js";
import { systemClock } from "../base/clock.js";
import { activeContext, settledEnv, type QueueEnv } from "../queue/context.js";
import { normalizeOptions, type EnqueueOptions } from "../queue/options.js";
import { buildPrepared, checkKwargs, checkQueue, methodPath, type TaskMethod } from "../queue/prepare.js";
import { pushPrepared } from "../queue/push.js";
import { currentScope } from "../queue/work-scope.js";
import type { PreparedJob } from "../queue/types.js";
import { jobField } from "../queue/job-fields.js";
import { readJobFields } from "../queue/find-job.js";

export interface EnqueueChunksOptions extends EnqueueOptions {
  /** Items per job. */
  size: number;
  /** Job ids are `${jobIdPrefix}:${i}`; default a random `chunks-<uuid>`. It is also the group id. */
  jobIdPrefix?: string;
  /** Explicit queue env (default: the active one). */
  env?: QueueEnv;
}

export interface ChunkProgress {
  /** Jobs in the group. */
  total: number;
  finished: number;
  /** Failed for good (or canceled); a job waiting for a retry counts as pending. */
  failed: number;
  /** Queued, scheduled, deferred or started. */
  pending: number;
  /** Jobs whose record is gone (past retention) or not written yet (after-commit). */
  missing: number;
  /** Share of jobs that ended (finished or failed), 0..100. */
  percent: number;
}

export interface ChunkGroup {
  id: string;
  jobIds: string[];
  /** How many chunk jobs were already live and returned by deduplication. */
  deduplicated: number;
  progress(): Promise<ChunkProgress>;
  /** Resolves with the final progress once no job is pending; throws GROUP_TIMEOUT after timeoutMs. */
  wait(options?: { timeoutMs?: number; intervalMs?: number }): Promise<ChunkProgress>;
}

const STRIPPED = ["jobId", "job_id", "deduplicate", "now", "isAsync", "is_async", "size", "jobIdPrefix", "env"] as const;

export async function enqueueChunks<T>(method: TaskMethod, items: readonly T[], options: EnqueueChunksOptions): Promise<ChunkGroup> {
  const env = await settledEnv(options.env ?? activeContext());
  const { size } = options;
  if (!Array.isArray(items)) throw new EnqueueError("BAD_ARGUMENT", `enqueueChunks: items must be an array, got ${typeof items}`);
  if (!Number.isInteger(size) || size < 1) {
    throw new EnqueueError("BAD_ARGUMENT", `enqueueChunks: size must be an integer >= 1, got ${String(size)}`);
  }
  for (const k of ["now", "isAsync", "is_async", "jobId", "job_id"] as const) {
    if (options[k] !== undefined) {
      throw new EnqueueError("BAD_ARGUMENT", `enqueueChunks: option "${k}" is not supported (chunk ids come from jobIdPrefix, and chunks always run in workers)`);
    }
  }
  const prefix = options.jobIdPrefix ?? `chunks-${randomUUID()}`;
  const rest: EnqueueOptions = { ...options };
  for (const k of STRIPPED) delete rest[k];

  const count = Math.ceil(items.length / size);
  const path = await methodPath(env, method);
  const prepared: PreparedJob[] = [];
  for (let i = 0; i < count; i++) {
    const o = normalizeOptions({
      ...rest,
      jobId: `${prefix}:${i}`,
      deduplicate: true,
      kwargs: { ...(rest.kwargs ?? {}), items: items.slice(i * size, (i + 1) * size), chunk_number: i, chunk_count: count },
    });
    checkQueue(env, o.queue);
    checkKwargs(o.kwargs);
    prepared.push(buildPrepared(env, path, o).prepared);
  }
  const jobIds = prepared.map((p) => p.id);

  let deduplicated = 0;
  const scope = currentScope();
  const afterCommit = options.enqueueAfterCommit ?? options.enqueue_after_commit;
  if (afterCommit && scope) scope.afterCommit.push(...prepared);
  else deduplicated = (await pushPrepared(env, prepared)).filter((o) => o.deduplicated).length;
  return chunkGroup(prefix, jobIds, env, deduplicated);
}

/** A handle on chunk jobs enqueued earlier (e.g. by another process): ids `${id}:0` .. `${id}:${count-1}`. */
export function openChunkGroup(id: string, count: number, env: QueueEnv = activeContext()): ChunkGroup {
  return chunkGroup(id, Array.from({ length: count }, (_, i) => `${id}:${i}`), env, 0);
}

function chunkGroup(id: string, jobIds: string[], env: QueueEnv, deduplicated: number): ChunkGroup {
  const progress = async (): Promise<ChunkProgress> => {
    // by id alone: each chunk on whichever queue's tag it is (find-job.ts)
    const rows = await readJobFields(env, jobIds, [jobField.status]);
    const p: ChunkProgress = { total: jobIds.length, finished: 0, failed: 0, pending: 0, missing: 0, percent: 0 };
    for (const row of rows) {
      const status = row?.[0];
      if (status === "finished") p.finished++;
      else if (status === "failed" || status === "canceled") p.failed++;
      else if (status === null || status === undefined) p.missing++;
      else p.pending++;
    }
    p.percent = p.total === 0 ? 100 : Math.round(((p.finished + p.failed) / p.total) * 10_000) / 100;
    return p;
  };
  const wait = async ({ timeoutMs = 60_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {}) => {
    const deadline = systemClock() + timeoutMs;
    for (;;) {
      const p = await progress();
      if (p.pending === 0 && p.missing === 0) return p;
      if (systemClock() >= deadline) {
        throw new SchedulerError("GROUP_TIMEOUT", `chunk group ${id}: ${p.pending + p.missing} of ${p.total} jobs not ended after ${timeoutMs} ms`, {
          hint: "are workers running for its queue? (scheduler status)",
        });
      }
      await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(1, deadline - systemClock()))));
    }
  };
  return { id, jobIds, deduplicated, progress, wait };
}
