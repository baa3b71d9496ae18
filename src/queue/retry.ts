/**
 * Retry policies: defaults like the reference's hand-rolled loop (exponential from 60 s:
 * 1, 2, 4 minutes), validation with clear errors, and the next run-at of a failed attempt.
 */
import { EnqueueError, UnrecoverableError } from "../base/errors.js";
import type { Job, RetryPolicy } from "./types.js";
import { limits, overLimit } from "./limits.js";

export type RetryInput = number | Partial<RetryPolicy>;

const RETRY_KEYS: readonly string[] = ["max", "backoff", "delay", "jitter"];

export function normalizeRetry(input: RetryInput | undefined, where = "retry"): RetryPolicy | undefined {
  if (input === undefined) return undefined;
  const o: Partial<RetryPolicy> = typeof input === "number" ? { max: input } : input;
  const bad = (msg: string): never => {
    throw new EnqueueError("BAD_RETRY", `${where}: ${msg}`);
  };
  if (typeof o !== "object" || o === null || Array.isArray(o)) bad("expected { max, backoff?, delay?, jitter? } or a number of retries");
  const unknown = Object.keys(o).find((k) => !RETRY_KEYS.includes(k));
  if (unknown !== undefined) bad(`unknown key "${unknown}"; allowed: ${RETRY_KEYS.join(", ")}`);
  const policy: RetryPolicy = {
    max: o.max ?? 3,
    backoff: o.backoff ?? "exponential",
    delay: o.delay ?? 60,
    jitter: o.jitter ?? 0,
  };
  if (!Number.isInteger(policy.max) || policy.max < 0) bad(`max must be a whole number >= 0, got ${String(o.max)}`);
  if (policy.backoff !== "fixed" && policy.backoff !== "exponential") bad(`backoff must be "fixed" or "exponential", got ${JSON.stringify(o.backoff)}`);
  if (typeof policy.delay !== "number" || !Number.isFinite(policy.delay) || policy.delay < 0) bad(`delay must be seconds >= 0, got ${String(o.delay)}`);
  if (typeof policy.jitter !== "number" || !(policy.jitter >= 0 && policy.jitter <= 1)) bad(`jitter must be between 0 and 1, got ${String(o.jitter)}`);
  const over = overLimit("max", policy.max, "", "retryMax") ?? overLimit("delay", policy.delay, " s", "retryDelaySeconds");
  if (over) bad(over);
  return policy;
}

/**
 * The problem of a retry value written in hooks (an entry's or a queue's `retry`), or undefined
 * when it is fine: the same rules as enqueue's, one message without the "enqueue" prefix.
 */
export function retryProblem(value: unknown): string | undefined {
  try {
    normalizeRetry(value as RetryInput, "retry");
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/^retry: /, "");
  }
}

/** Delay (ms) before retry number `retriesSoFar + 1`; jitter shortens it by up to that fraction. */
export function retryDelayMs(policy: RetryPolicy, retriesSoFar: number, random: () => number = Math.random): number {
  // Exponential backoff grows without end (2^1000 is Infinity): every delay is capped.
  const base = Math.min(policy.backoff === "exponential" ? policy.delay * 2 ** retriesSoFar : policy.delay, limits().retryDelaySeconds);
  const factor = policy.jitter > 0 ? 1 - policy.jitter * random() : 1;
  return Math.round(base * 1000 * factor);
}

/** When a failed attempt of `job` should run again, or undefined when it should fail for good. */
export function nextRetryAt(job: Job, error: unknown, now: number, random?: () => number): number | undefined {
  if (!job.retry || error instanceof UnrecoverableError) return undefined;
  if (thrownName(error) === "UnrecoverableError") return undefined;
  const done = job.retries ?? 0;
  if (done >= job.retry.max) return undefined;
  return now + retryDelayMs(job.retry, done, random);
}

/** The `name` of a thrown value, or undefined (also when reading it throws: a hostile getter). */
function thrownName(error: unknown): unknown {
  try {
    return (error as { name?: unknown } | null)?.name;
  } catch {
    return undefined;
  }
}
