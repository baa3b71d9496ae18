/**
 * Retry policies as written (a job's `retry` option, a hooks entry's or a queue's `retry`): the
 * type, the defaults like the reference's hand-rolled loop (exponential from 60 s: 1, 2, 4
 * minutes) and the validation with clear errors. Pure, so the settings can check a policy
 * without the queue; when a failed attempt runs again is src/queue/retry.ts.
 */
import { EnqueueError } from "../base/errors.js";
import { overLimit } from "./limits.js";

export interface RetryPolicy {
  /** Retries after the first attempt (so max 3 = up to 4 attempts). */
  max: number;
  backoff: "fixed" | "exponential";
  /** Base delay, seconds. */
  delay: number;
  /** 0..1: each delay is randomized by up to this fraction. */
  jitter: number;
}

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
