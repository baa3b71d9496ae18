/**
 * Is a taken job's hash whole? Job hashes are written by enqueue, but anyone with Redis access
 * can change them. A worker checks what it is about to rely on (the fields that say what runs
 * and how) and fails a damaged job once with the reason, instead of running it with a
 * misread value, retrying it at once forever (a `retry` that is not a policy) or losing its
 * lease (a `queue` that does not match).
 */
import { queueSettings } from "../config/partition-names.js";
import type { QueueConfig } from "../config/types.js";
import { UnrecoverableError } from "../base/errors.js";
import { codes } from "../base/errors.js";
import type { Job } from "./types.js";

/** A job whose hash is damaged: failed once, never retried (running it again cannot mend it). */
export class CorruptJobError extends UnrecoverableError {
  readonly code = codes.JOB_CORRUPT;
  constructor(reason: string) {
    super(reason);
    this.name = "CorruptJobError";
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** What is wrong with a retry policy read from Redis, or undefined. */
function retryProblem(retry: unknown): string | undefined {
  if (!isObject(retry)) return `is not a retry policy object: ${typeof retry === "string" ? JSON.stringify(retry.slice(0, 40)) : JSON.stringify(retry)?.slice(0, 80)}`;
  const has = (k: string) => Object.prototype.hasOwnProperty.call(retry, k);
  if (!has("max") || !Number.isInteger(retry.max) || (retry.max as number) < 0) return `has no whole-number max >= 0`;
  if (retry.backoff !== "fixed" && retry.backoff !== "exponential") return `has backoff ${JSON.stringify(retry.backoff)}, not "fixed" or "exponential"`;
  if (typeof retry.delay !== "number" || !Number.isFinite(retry.delay) || retry.delay < 0) return `has no delay of seconds >= 0`;
  if (typeof retry.jitter !== "number" || !(retry.jitter >= 0 && retry.jitter <= 1)) return `has no jitter between 0 and 1`;
  return undefined;
}

/** undefined when `job` can be run as it is; else the one-line reason to fail it with. */
export function jobProblem(job: Job, queues: Record<string, QueueConfig>): string | undefined {
  if (job.corrupt) return job.corrupt;
  if (!job.method) return "job hash field method is missing";
  if (!job.queue) return "job hash field queue is missing";
  // a partition's name (src/config/partition-names.ts) is its queue's
  if (queueSettings(queues, job.queue) === undefined) return `job hash field queue names ${JSON.stringify(job.queue)}, which is not a configured queue`;
  if (!isObject(job.kwargs)) return `job hash field kwargs is not a JSON object (it is ${Array.isArray(job.kwargs) ? "a list" : job.kwargs === null ? "null" : `a ${typeof job.kwargs}`})`;
  if (!(Number.isFinite(job.timeout) && job.timeout > 0)) return "job hash field timeout is missing";
  if (job.retry !== undefined) {
    const why = retryProblem(job.retry);
    if (why) return `job hash field retry ${why}`;
  }
  if (job.dependsOn !== undefined && !(Array.isArray(job.dependsOn) && job.dependsOn.every((d) => typeof d === "string"))) {
    return "job hash field dependsOn is not a list of job ids";
  }
  return undefined;
}
