/**
 * Retries of a failed attempt: the delay before the next one and its run-at. The policy itself
 * (type, defaults, validation) is src/config/retry-policy.ts.
 */
import { UnrecoverableError } from "../base/errors.js";
import type { RetryPolicy } from "../config/retry-policy.js";
import { limits } from "../config/limits.js";
import type { Job } from "./types.js";

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
