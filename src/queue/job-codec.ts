/**
 * Job <-> Redis hash. Every field is a string in Redis; structured fields (kwargs, retry, result,
 * error, progress) are JSON. Absent optional fields are simply not written.
 */
import type { Job, JobStatus, SerializedError } from "./types.js";

const NUMBER_FIELDS = ["timeout", "attempt", "createdAt", "enqueuedAt", "startedAt", "endedAt", "scheduledAt", "scheduledFor", "stalls", "retries", "depsLeft", "childCount", "cancelRequested"] as const;
const STRING_FIELDS = ["jobName", "task", "parentId", "worker", "cancelReason", "sig"] as const;
const JSON_FIELDS = ["retry", "result", "error", "progress", "dependsOn", "statusRecord"] as const;

/**
 * The hash fields written at enqueue (status and enqueuedAt/scheduledAt are set by the script).
 * Not written, to keep every queued job small (memory per job; the bytes every take reads):
 * the id (it is in the key; decodeJob gets it from the caller or the take's answer) and the
 * counters that start at 0 (attempt, stalls, retries: absent reads as 0, HINCRBY creates them).
 */
export function encodeNewJob(job: Omit<Job, "status">): Record<string, string> {
  const f: Record<string, string> = {
    method: job.method,
    queue: job.queue,
    kwargs: JSON.stringify(job.kwargs),
    timeout: String(job.timeout),
    createdAt: String(job.createdAt),
  };
  if (job.jobName !== undefined) f.jobName = job.jobName;
  if (job.task !== undefined) f.task = job.task;
  if (job.onFailure !== undefined) f.onFailure = job.onFailure;
  if (job.parentId !== undefined) f.parentId = job.parentId;
  if (job.retry !== undefined) f.retry = JSON.stringify(job.retry);
  if (job.scheduledFor !== undefined) f.scheduledFor = String(job.scheduledFor);
  if (job.catchup !== undefined) f.catchup = job.catchup ? "1" : "0";
  if (job.backfill) f.backfill = "1";
  if (job.atFront) f.atFront = "1";
  if (job.dependsOn !== undefined && job.dependsOn.length > 0) f.dependsOn = JSON.stringify(job.dependsOn);
  if (job.allowFailure) f.allowFailure = "1";
  return f;
}

function parseJson(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

const NUMBER_SET: ReadonlySet<string> = new Set(NUMBER_FIELDS);
const STRING_SET: ReadonlySet<string> = new Set(STRING_FIELDS);
const JSON_SET: ReadonlySet<string> = new Set(JSON_FIELDS);

/**
 * A job from its hash (HGETALL as an object or as the flat array a script returns). One pass
 * over the fields, no intermediate object: a worker decodes one per job. `id`: the key's id
 * (hashes written since encodeNewJob stopped storing it have no id field; takes add it).
 */
export function decodeJob(raw: Record<string, string> | string[], id = ""): Job {
  const job: Job = { id, method: "", queue: "", status: "queued", kwargs: {}, timeout: 0, attempt: 0, createdAt: 0, stalls: 0, retries: 0 };
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) setField(job, raw[i]!, raw[i + 1]!);
  } else {
    for (const k of Object.keys(raw)) setField(job, k, raw[k]!);
  }
  return job;
}

function setField(job: Job, k: string, v: string): void {
  const out = job as unknown as Record<string, unknown>;
  switch (k) {
    case "id":
    case "method":
    case "queue":
    case "onFailure":
      out[k] = v;
      return;
    case "status":
      job.status = v as JobStatus;
      return;
    case "kwargs":
      job.kwargs = (parseJson(v) as Record<string, unknown> | undefined) ?? {};
      return;
    case "catchup":
      job.catchup = v === "1";
      return;
    case "atFront":
    case "backfill":
    case "allowFailure":
      if (v === "1") out[k] = true;
      return;
  }
  if (NUMBER_SET.has(k)) out[k] = Number(v);
  else if (STRING_SET.has(k)) out[k] = v;
  else if (JSON_SET.has(k)) out[k] = parseJson(v);
}

/** A hash read with HGETALL is a job's when it has the fields every job has (an absent key reads as {}). */
export function isJobHash(h: Record<string, string> | null | undefined): h is Record<string, string> {
  return !!h && h.method !== undefined && h.queue !== undefined;
}

/** Any thrown value as the JSON record stored on the job and its attempt. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const out: SerializedError = { name: err.name || "Error", message: err.message };
    if (err.stack) out.stack = err.stack.split("\n").slice(0, 30).join("\n");
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string") out.code = code;
    return out;
  }
  // already a record (e.g. handed back by a task running in a child process)
  const rec = err as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown } | null;
  if (rec && typeof rec === "object" && typeof rec.message === "string") {
    const out: SerializedError = { name: typeof rec.name === "string" ? rec.name : "Error", message: rec.message };
    if (typeof rec.stack === "string") out.stack = rec.stack;
    if (typeof rec.code === "string") out.code = rec.code;
    return out;
  }
  let message: string;
  try {
    message = JSON.stringify(err) ?? String(err);
  } catch {
    message = String(err);
  }
  return { name: "NonError", message };
}

/** A task's result as stored: JSON, or a description when it does not survive JSON. */
export function encodeResult(result: unknown): string {
  if (result === undefined) return "";
  try {
    const s = JSON.stringify(result);
    return s === undefined ? "" : s;
  } catch (err) {
    return JSON.stringify({ unserializable: String(result), reason: (err as Error).message });
  }
}
