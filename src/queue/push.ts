/**
 * Writing prepared jobs: one enqueue.lua call for any number of them (a single enqueue, a
 * transaction commit), all-or-nothing.
 */
import { EnqueueError } from "../base/errors.js";
import type { QueueEnv } from "./context.js";
import { decodeJob } from "./job-codec.js";
import { runWritingJobScript } from "./job-scripts.js";
import { scriptResult } from "../redis/script-results.js";
import { awaitReplication } from "../redis/durability.js";
import type { Job, JobStatus, PreparedJob } from "./types.js";

export interface ScriptResult {
  ok: boolean;
  results?: Array<{ id: string; status?: JobStatus; dedup?: boolean; job?: string[] }> | Record<string, never>;
  error?: "live" | "unknown-dep" | "failed-dep";
  id?: string;
  /** The dependency an "unknown-dep"/"failed-dep" refusal names. */
  dep?: string;
  status?: string;
  guard?: "slot-taken" | "overlap" | "fenced";
  running?: string;
}

export type PushOutcome = { id: string; status: JobStatus; deduplicated: false } | { id: string; deduplicated: true; job: Job };

export interface Guard {
  task: string;
  slot: number;
  /** The leader lease number the caller holds: refused ("fenced") once another lease was granted. */
  fence?: number;
  /** Overlap policy (schedule_guard_lib.lua); default "skip". */
  overlap?: string;
  /** The job of the previous slot of the same batch (catch-up gap or backfill). */
  sibling?: string;
  mode?: "backfill";
  catchup?: boolean;
}

/** The JSON spec enqueue_lib.lua reads (same field names as PreparedJob). */
export function specJson(p: PreparedJob): string {
  return JSON.stringify(p);
}

export async function runEnqueueScript(env: QueueEnv, prepared: PreparedJob[], guard?: Guard): Promise<ScriptResult> {
  const extraKeys = guard ? [env.keys.lastSlots(), env.keys.lastJobs(), env.keys.schedulerFence()] : [];
  const result = scriptResult.enqueue(await runWritingJobScript(env, "enqueue", prepared.map((p) => p.queue), [guard ? JSON.stringify(guard) : "", ...prepared.map(specJson)], extraKeys));
  // durability "replicated": the jobs and the slot record are on a replica before we answer.
  await awaitReplication(env.redis, env.keys.queues(), guard ? "scheduled enqueue" : "enqueue");
  return result as unknown as ScriptResult;
}

export function liveIdError(id: string, status: string | undefined): EnqueueError {
  return new EnqueueError("JOB_ID_TAKEN", `enqueue: job id "${id}" is taken by a ${status ?? "live"} job`, {
    hint: "pass deduplicate: true to get the existing job back, or wait until it ends (finished/failed/canceled ids can be reused)",
  });
}

/** The EnqueueError for a refused enqueue.lua answer (nothing was written). */
export function refusalError(res: ScriptResult): EnqueueError {
  if (res.error === "unknown-dep") {
    return new EnqueueError("UNKNOWN_DEPENDENCY", `enqueue: job "${res.id}" depends on "${res.dep}", which is not a job (never enqueued, or expired)`, {
      hint: "pass the id of a job that exists; a finished dependency is kept only for the finished retention",
    });
  }
  if (res.error === "failed-dep") {
    return new EnqueueError("DEPENDENCY_FAILED", `enqueue: job "${res.id}" depends on "${res.dep}", which ${res.status === "canceled" ? "was canceled" : "already failed"}`, {
      hint: "requeue the dependency first, or pass allowFailure: true to run anyway",
    });
  }
  return liveIdError(res.id ?? "?", res.status);
}

/**
 * Push prepared jobs in one atomic step; a reused live id (without deduplicate), an unknown
 * dependency or an already failed one (without allowFailure) refuses all.
 */
export async function pushPrepared(env: QueueEnv, prepared: PreparedJob[], createdAt?: number): Promise<PushOutcome[]> {
  if (prepared.length === 0) return [];
  // `createdAt`: the clock reading the jobs were built with (buildPrepared), sent as the script's
  // now, so a job queued at once has enqueuedAt = createdAt and the script stores only the first
  const res = await runEnqueueScript(createdAt === undefined ? env : { ...env, clock: () => createdAt }, prepared);
  if (!res.ok) throw refusalError(res);
  const results = Array.isArray(res.results) ? res.results : [];
  return results.map((r) =>
    r.dedup ? { id: r.id, deduplicated: true as const, job: decodeJob(r.job ?? [], r.id) } : { id: r.id, status: r.status ?? "queued", deduplicated: false as const },
  );
}
