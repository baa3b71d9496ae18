/**
 * The EnqueueError of an enqueue refused (nothing written): a live id, an unknown or failed
 * dependency. Used by push.ts for enqueue.lua's answers and by dependencies-elsewhere.ts for a
 * dependency on another tag refused before the script.
 */
import { EnqueueError } from "../base/errors.js";

/** The refusal fields of enqueue.lua's answer (push.ts ScriptResult). */
export interface Refusal {
  error?: "live" | "unknown-dep" | "failed-dep";
  id?: string;
  /** The dependency an "unknown-dep"/"failed-dep" refusal names. */
  dep?: string;
  status?: string;
}

export function liveIdError(id: string, status: string | undefined): EnqueueError {
  return new EnqueueError("JOB_ID_TAKEN", `enqueue: job id "${id}" is taken by a ${status ?? "live"} job`, {
    hint: "pass deduplicate: true to get the existing job back, or wait until it ends (finished/failed/canceled ids can be reused)",
  });
}

/** The EnqueueError for a refused enqueue.lua answer (nothing was written). */
export function refusalError(res: Refusal): EnqueueError {
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

