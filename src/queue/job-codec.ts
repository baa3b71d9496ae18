/**
 * Job <-> Redis hash. Every field is a string in Redis; structured fields (kwargs, retry, result,
 * error, progress) are JSON. Absent optional fields are simply not written.
 */
import type { Job, JobStatus, SerializedError } from "./types.js";
import { formatBytes, jsonBytesOver, limits } from "../config/limits.js";
import type { SignedFields } from "../security/signing.js";
import type { JobField } from "./job-fields.js";

const NUMBER_FIELDS = ["timeout", "attempt", "createdAt", "enqueuedAt", "startedAt", "endedAt", "scheduledAt", "scheduledFor", "stalls", "retries", "depsLeft", "childCount", "cancelRequested", "expiresAt"] as const satisfies readonly JobField[];
const STRING_FIELDS = ["jobName", "task", "parentId", "worker", "cancelReason", "sig", "nonce", "traceparent", "firstRun"] as const satisfies readonly JobField[];
const JSON_FIELDS = ["retry", "result", "error", "progress", "dependsOn", "statusRecord"] as const satisfies readonly JobField[];

/**
 * The hash fields written at enqueue (status and enqueuedAt/scheduledAt are set by the script).
 * Not written, to keep every queued job small (memory per job; the bytes every take reads):
 * the id (it is in the key; decodeJob gets it from the caller or the take's answer), the
 * counters that start at 0 (attempt, stalls, retries: absent reads as 0, HINCRBY creates them)
 * and empty kwargs (absent reads as {}: 32 of a no-op job's 264 bytes, bench/README.md).
 * createdAt is sent, and the script leaves it out when it equals enqueuedAt (write_spec).
 */
export function encodeNewJob(job: Omit<Job, "status">): Record<string, string> {
  const kwargs = JSON.stringify(job.kwargs);
  const f: { [K in JobField]?: string } = {
    method: job.method,
    queue: job.queue,
    ...(kwargs !== "{}" ? { kwargs } : {}),
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
  // createdAt: NaN until the hash gives one (any number it holds, 0 included, is kept)
  const job: Job = { id, method: "", queue: "", status: "queued", kwargs: {}, timeout: 0, attempt: 0, createdAt: NaN, stalls: 0, retries: 0 };
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) setField(job, raw[i]!, raw[i + 1]!);
  } else {
    for (const k of Object.keys(raw)) setField(job, k, raw[k]!);
  }
  // A job queued at the moment it was created has no createdAt field (enqueue_lib.lua
  // write_spec): it was created at its first enqueuedAt, which every requeue copies in first.
  if (Number.isNaN(job.createdAt)) job.createdAt = job.enqueuedAt ?? 0;
  return job;
}

function setField(job: Job, k: string, v: string): void {
  const out = job as unknown as Record<string, unknown>;
  // typed as a field name: a case that is not one of JOB_FIELDS fails the typecheck
  switch (k as JobField) {
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
    case "retry":
    case "dependsOn":
      // Fields that decide how the job runs: a value that is not JSON is noted (the worker fails
      // the job with it, src/queue/job-integrity.ts), never passed on as a string.
      try {
        out[k] = JSON.parse(v);
      } catch (err) {
        job.corrupt ??= `job hash field ${k} is not valid JSON: ${(err as Error).message.slice(0, 200)}`;
        if (k !== "kwargs") out[k] = undefined;
      }
      return;
    case "timeout": {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) job.corrupt ??= `job hash field timeout is not a number of seconds > 0: ${JSON.stringify(v.slice(0, 40))}`;
      job.timeout = n;
      return;
    }
    case "takeProblem":
      job.corrupt ??= v;
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

/** A property of a thrown value; undefined when reading it throws (a hostile getter, a revoked proxy). */
function read(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/**
 * Any thrown value as the JSON record stored on the job and its attempt. Never throws: a value
 * whose getters, toString or toJSON throw is described by what can be read of it.
 */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const name = read(err, "name");
    const message = read(err, "message");
    const out: SerializedError = { name: typeof name === "string" && name ? name : "Error", message: typeof message === "string" ? message : describeThrown(err) };
    const stack = read(err, "stack");
    if (typeof stack === "string" && stack) out.stack = stack.split("\n").slice(0, 30).join("\n");
    const code = read(err, "code");
    if (typeof code === "string") out.code = code;
    return out;
  }
  // already a record (e.g. handed back by a task running in a child process)
  if (err && typeof err === "object") {
    const message = read(err, "message");
    if (typeof message === "string") {
      const name = read(err, "name");
      const out: SerializedError = { name: typeof name === "string" ? name : "Error", message };
      const stack = read(err, "stack");
      if (typeof stack === "string") out.stack = stack;
      const code = read(err, "code");
      if (typeof code === "string") out.code = code;
      return out;
    }
  }
  return { name: "NonError", message: describeThrown(err) };
}

/** JSON of the value, else its String, else its readable own properties (naming the unreadable ones). */
function describeThrown(err: unknown): string {
  try {
    const json = JSON.stringify(err);
    if (json !== undefined) return json;
  } catch {
    // toJSON or a getter threw, or a cycle: fall through
  }
  if (err === null || typeof err !== "object") {
    try {
      return String(err);
    } catch {
      return `a thrown ${typeof err}`;
    }
  }
  const readable: Record<string, unknown> = {};
  const unreadable: string[] = [];
  let keys: string[] = [];
  try {
    keys = Object.keys(err).slice(0, 50);
  } catch {
    // a proxy whose ownKeys trap throws
  }
  for (const key of keys) {
    try {
      const v = (err as Record<string, unknown>)[key];
      readable[key] = typeof v === "object" && v !== null ? "[object]" : typeof v === "function" ? "[function]" : v;
    } catch {
      unreadable.push(key);
    }
  }
  let text: string;
  try {
    text = JSON.stringify(readable);
  } catch {
    text = "{}";
  }
  return `a thrown object ${text}${unreadable.length > 0 ? ` (unreadable: ${unreadable.join(", ")})` : ""}`;
}

/** A task's result as stored: JSON, or a description when it does not survive JSON. */
export function encodeResult(result: unknown): string {
  if (result === undefined) return "";
  try {
    const s = JSON.stringify(result);
    if (s === undefined) return "";
    // The job did its work: it finishes, but a result past the limit is not kept in Redis.
    const limit = limits().resultBytes;
    const over = jsonBytesOver(s, limit);
    if (over !== undefined) return JSON.stringify({ unstored: `result of ${formatBytes(over)} as JSON is over the limit of ${formatBytes(limit)} (hooks limits.resultBytes)` });
    return s;
  } catch (err) {
    return JSON.stringify({ unserializable: String(result), reason: (err as Error).message });
  }
}

/**
 * The signed fields of a job read back from Redis, encoded as enqueue encoded them
 * (encodeNewJob above): a field that decodes to the same meaning encodes to
 * the same text, any other change breaks the signature.
 */
export function signedFieldsOfJob(job: Job): SignedFields {
  const f: SignedFields = { id: job.id, method: job.method, queue: job.queue, kwargs: JSON.stringify(job.kwargs), timeout: String(job.timeout), createdAt: String(job.createdAt) };
  if (job.retry !== undefined) f.retry = JSON.stringify(job.retry);
  if (job.onFailure !== undefined) f.onFailure = job.onFailure;
  if (job.dependsOn !== undefined && job.dependsOn.length > 0) f.dependsOn = JSON.stringify(job.dependsOn);
  if (job.allowFailure) f.allowFailure = "1";
  if (job.nonce !== undefined) f.nonce = job.nonce;
  if (job.expiresAt !== undefined) f.expiresAt = String(job.expiresAt);
  return f;
}
