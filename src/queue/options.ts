/**
 * enqueue() options as users write them (Frappe's names, camelCase or snake_case), checked and
 * normalized. Every key that is not an option is a kwarg, as in frappe.enqueue(**kwargs).
 */
import { EnqueueError } from "../base/errors.js";
import { durationMs } from "../base/duration.js";
import { normalizeRetry, type RetryInput } from "../config/retry-policy.js";
import { overLimit } from "../config/limits.js";
import { isDottedPath } from "../tasks/dotted-path.js";

/** A job to wait for: its id, or any object with an `id` (a Job, a JobHandle, enqueue()'s result). */
export type DependencyRef = string | { id: string };

/** The options enqueue() knows, and `kwargs`: every key of the typed form. */
export interface EnqueueOptionFields {
  /** Queue name; default "default". */
  queue?: string;
  /** Seconds; default from the queue's config. */
  timeout?: number;
  /** false: run now, in this process, and return the result (Frappe's is_async=False). */
  isAsync?: boolean;
  is_async?: boolean;
  /** true: run now, in this process, and return the result. */
  now?: boolean;
  /** Display name (Frappe's job_name). With deduplicate and no jobId, it is the dedup id. */
  jobName?: string;
  job_name?: string;
  jobId?: string;
  job_id?: string;
  atFront?: boolean;
  at_front?: boolean;
  /** With jobId: no second job while one with that id is queued, scheduled, deferred or started. */
  deduplicate?: boolean;
  /** Inside transaction() or a running job: pushed only when that unit of work succeeds. */
  enqueueAfterCommit?: boolean;
  enqueue_after_commit?: boolean;
  retry?: RetryInput;
  /** Run later: seconds, or "10m"-style. */
  delay?: number | string;
  /** Run at: a Date or ms since epoch. */
  at?: Date | number;
  /**
   * Wait for these jobs: the job is "deferred" (not in its queue) until every one has finished.
   * One that fails for good cancels this job, unless allowFailure. Finished ones are not waited on.
   */
  dependsOn?: DependencyRef | DependencyRef[];
  depends_on?: DependencyRef | DependencyRef[];
  /** With dependsOn: run once every dependency has ended, even if one failed or was canceled. */
  allowFailure?: boolean;
  allow_failure?: boolean;
  /** Dotted path of a failure handler called once if this job fails for good (after its last retry). */
  onFailure?: string;
  on_failure?: string;
  /**
   * Of a queue with partitions: a kwargs path (dotted, e.g. "customer.id") whose value picks the
   * partition, so one key's jobs stay in one partition, in the order they were enqueued.
   */
  partitionKey?: string;
  partition_key?: string;
  /** Explicit kwargs (merged with the other non-option keys). */
  kwargs?: Record<string, unknown>;
}

/** Frappe's flat form: the options above, and every other key is a kwarg of the task. */
export interface EnqueueOptions extends EnqueueOptionFields {
  [kwarg: string]: unknown;
}

export interface NormalizedOptions {
  queue: string;
  timeout?: number;
  runNow: boolean;
  jobName?: string;
  jobId?: string;
  atFront: boolean;
  deduplicate: boolean;
  afterCommit: boolean;
  retry?: ReturnType<typeof normalizeRetry>;
  /** Delay in ms, or an absolute run-at in ms. */
  delayMs?: number;
  at?: number;
  /** Dependency ids, without repeats (empty: none). */
  dependsOn: string[];
  allowFailure: boolean;
  onFailure?: string;
  partitionKey?: string;
  kwargs: Record<string, unknown>;
}

const ALIASES: Array<[string, string]> = [
  ["isAsync", "is_async"],
  ["jobName", "job_name"],
  ["jobId", "job_id"],
  ["atFront", "at_front"],
  ["enqueueAfterCommit", "enqueue_after_commit"],
  ["dependsOn", "depends_on"],
  ["allowFailure", "allow_failure"],
  ["onFailure", "on_failure"],
  ["partitionKey", "partition_key"],
];
const OPTION_KEYS = new Set(["queue", "timeout", "now", "deduplicate", "retry", "delay", "at", "kwargs", ...ALIASES.flat()]);
const JOB_ID = /^[^\s{}]{1,200}$/;

/** Any value for a message: JSON when it has one, else its String (BigInt, Symbol, cycles). */
function show(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return typeof v === "bigint" ? `${v}n` : String(v);
  }
}

function fail(code: EnqueueError["code"], message: string, hint?: string): never {
  throw new EnqueueError(code, message, hint ? { hint } : {});
}

function pick(o: EnqueueOptions, camel: string, snake: string): unknown {
  const a = o[camel];
  const b = o[snake];
  if (a !== undefined && b !== undefined && a !== b) fail("BAD_OPTION", `enqueue: ${camel} and ${snake} disagree; pass one`);
  return a ?? b;
}

function bool(name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== "boolean") fail("BAD_OPTION", `enqueue: ${name} must be true or false, got ${show(v)}`);
  return v;
}

/** dependsOn as given (an id, a job, or a list of them) -> ids without repeats. */
function dependencyIds(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  const ids: string[] = [];
  list.forEach((ref, i) => {
    const id = typeof ref === "string" ? ref : ref && typeof ref === "object" ? (ref as { id?: unknown }).id : undefined;
    const where = Array.isArray(v) ? `dependsOn[${i}]` : "dependsOn";
    if (typeof id !== "string" || !JOB_ID.test(id)) {
      fail("BAD_DEPENDENCY", `enqueue: ${where} must be a job id or a job (with an id), got ${show(ref)}`);
    }
    if (!ids.includes(id)) ids.push(id);
  });
  return ids;
}

function str(name: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v === "") fail("BAD_OPTION", `enqueue: ${name} must be a non-empty string, got ${show(v)}`);
  return v;
}

export function normalizeOptions(options: EnqueueOptions = {}, now: number = Date.now()): NormalizedOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) fail("BAD_OPTION", "enqueue: options must be an object");
  const queue = str("queue", options.queue) ?? "default";
  const timeout = options.timeout;
  if (timeout !== undefined && (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0)) {
    fail("BAD_TIMEOUT", `enqueue: timeout must be a positive number of seconds, got ${show(timeout)}`);
  }
  const timeoutOver = typeof timeout === "number" ? overLimit("timeout", timeout, " s", "timeoutSeconds") : undefined;
  if (timeoutOver) fail("BAD_TIMEOUT", `enqueue: ${timeoutOver}`);
  const isAsync = pick(options, "isAsync", "is_async");
  const runNow = bool("now", options.now) || (isAsync !== undefined && !bool("isAsync", isAsync));
  const jobName = str("jobName", pick(options, "jobName", "job_name"));
  let jobId = str("jobId", pick(options, "jobId", "job_id"));
  const deduplicate = bool("deduplicate", options.deduplicate);
  if (deduplicate && jobId === undefined) {
    // The reference dedups by job_name; use it as the id when no jobId is given.
    if (jobName === undefined) fail("BAD_OPTION", "enqueue: deduplicate needs a jobId (or a jobName) to compare", "pass jobId: \"...\"");
    jobId = jobName;
  }
  if (jobId !== undefined && !JOB_ID.test(jobId)) {
    fail("BAD_JOB_ID", `enqueue: jobId ${show(jobId)} is not allowed: 1-200 characters, no spaces or braces`);
  }
  let delayMs: number | undefined;
  if (options.delay !== undefined) {
    const d = durationMs(options.delay);
    if (d === undefined) fail("BAD_DELAY", `enqueue: delay ${show(options.delay)} is not a duration; use seconds or "90s", "10m", "2h", "1d"`);
    const over = overLimit("delay", d / 1000, " s", "delaySeconds");
    if (over) fail("BAD_DELAY", `enqueue: ${over}`);
    delayMs = d;
  }
  let at: number | undefined;
  if (options.at !== undefined) {
    at = options.at instanceof Date ? options.at.getTime() : typeof options.at === "number" ? options.at : NaN;
    if (!Number.isFinite(at)) fail("BAD_AT", `enqueue: at must be a valid Date or ms since epoch, got ${String(options.at)}`);
    const ahead = Math.round((at - now) / 1000);
    const over = overLimit("at: a run", ahead, " s ahead", "delaySeconds");
    if (over) fail("BAD_AT", `enqueue: ${over}`);
  }
  if (delayMs !== undefined && at !== undefined) fail("BAD_OPTION", "enqueue: pass delay or at, not both");
  const dependsOn = dependencyIds(pick(options, "dependsOn", "depends_on"));
  const allowFailure = bool("allowFailure", pick(options, "allowFailure", "allow_failure"));
  if (allowFailure && dependsOn.length === 0) fail("BAD_OPTION", "enqueue: allowFailure only applies with dependsOn; pass the jobs to wait for");
  if (runNow && dependsOn.length > 0) fail("BAD_OPTION", "enqueue: dependsOn cannot be combined with now / isAsync: false (the task would run before its dependencies)");
  if (jobId !== undefined && dependsOn.includes(jobId)) fail("BAD_DEPENDENCY", `enqueue: job "${jobId}" cannot depend on itself`);
  const onFailure = str("onFailure", pick(options, "onFailure", "on_failure"));
  if (onFailure !== undefined && !isDottedPath(onFailure)) {
    fail("BAD_OPTION", `enqueue: onFailure ${show(onFailure)} is not a dotted path like "my_app.alerts.notify_admin"`);
  }

  const partitionKey = str("partitionKey", pick(options, "partitionKey", "partition_key"));

  const explicit = options.kwargs;
  if (explicit !== undefined && (typeof explicit !== "object" || explicit === null || Array.isArray(explicit))) {
    fail("BAD_KWARGS", "enqueue: kwargs must be a plain object");
  }
  const kwargs: Record<string, unknown> = { ...(explicit ?? {}) };
  for (const [k, v] of Object.entries(options)) {
    if (OPTION_KEYS.has(k)) continue;
    if (k in kwargs) fail("BAD_KWARGS", `enqueue: kwarg "${k}" given both inside kwargs and beside it; pass it once`);
    kwargs[k] = v;
  }
  return {
    queue,
    timeout: timeout as number | undefined,
    runNow,
    jobName,
    jobId,
    atFront: bool("atFront", pick(options, "atFront", "at_front")),
    deduplicate,
    afterCommit: bool("enqueueAfterCommit", pick(options, "enqueueAfterCommit", "enqueue_after_commit")),
    retry: normalizeRetry(options.retry as RetryInput | undefined, "enqueue: retry"),
    delayMs,
    at,
    dependsOn,
    allowFailure,
    ...(onFailure !== undefined ? { onFailure } : {}),
    ...(partitionKey !== undefined ? { partitionKey } : {}),
    kwargs,
  };
}
