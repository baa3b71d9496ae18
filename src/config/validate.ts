/**
 * Checks of single config values. Each returns undefined when the value is fine, else one
 * message saying what is wrong and what to write instead. The caller adds where the value came
 * from (`--redis`, `REDIS_URL`, `hooks.ts: queues.long.timeout`), so the same check serves
 * flags, the environment and the hooks file. The checks of the Redis settings (URL, hooks
 * `redis`, prefix) need the Redis code: they are src/redis/settings-checks.ts.
 */
import { IANAZone } from "luxon";
import { isPlainObject } from "../base/plain-object.js";
import { LOG_LEVELS } from "./defaults.js";
import { retryProblem } from "./retry-policy.js";
import { limits, overLimit, type Limits } from "./limits.js";

export function checkTimezone(value: unknown): string | undefined {
  if (typeof value !== "string" || !IANAZone.isValidZone(value)) {
    return `${JSON.stringify(value)} is not an IANA time zone; use a name like "Europe/Berlin", "America/New_York" or "UTC"`;
  }
  return undefined;
}

export function checkLogLevel(value: unknown): string | undefined {
  if (typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value)) return undefined;
  return `${JSON.stringify(value)} is not a log level; use one of ${LOG_LEVELS.join(", ")}`;
}

export function checkSchedulerInterval(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isInteger(value) && value >= 1) return undefined;
  return `${JSON.stringify(value)} is not a whole number of seconds >= 1; the default is 60`;
}

/** A number of seconds > 0 (job timeouts, retention). */
export function checkPositiveSeconds(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return undefined;
  return `${JSON.stringify(value)} is not a number of seconds > 0`;
}

export function checkPositiveInteger(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isInteger(value) && value >= 1) return undefined;
  return `${JSON.stringify(value)} is not a whole number >= 1`;
}

const QUEUE_NAME = /^[A-Za-z0-9_.\-]+$/;
const QUEUE_KEYS = ["timeout", "workers", "concurrency", "rateLimit", "maxMemoryMb", "retry", "partitions"] as const;
/** src/queue/partitions.ts: past the masters of any cluster, and each idle worker waits once per partition. */
export const MAX_PARTITIONS = 64;

/**
 * Problems of one `queues.<name>` entry, as [sub-key, message] pairs ("" for the entry itself).
 * `suggest` turns an unknown key into a "did you mean" suffix.
 */
export function checkQueue(
  name: string,
  value: unknown,
  suggest: (word: string, candidates: readonly string[]) => string,
  bounds: Limits = limits(),
): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (!QUEUE_NAME.test(name)) out.push(["", `queue name "${name}" is not allowed; use letters, digits, "_", "-" or "."`]);
  else if (name in Object.prototype) out.push(["", `queue name "${name}" is not allowed: it is a built-in property name of JavaScript objects; pick another name`]);
  if (!isPlainObject(value)) {
    out.push(["", `must be an object like { timeout: 300, workers: 1, concurrency: 1 }, got ${JSON.stringify(value)}`]);
    return out;
  }
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (key === "timeout") {
      const m = checkPositiveSeconds(v) ?? overLimit("timeout", v as number, " s", "timeoutSeconds", bounds);
      if (m) out.push([key, m]);
    } else if (key === "workers" || key === "concurrency" || key === "maxMemoryMb") {
      const m =
        checkPositiveInteger(v) ??
        (key === "workers" ? overLimit("workers", v as number, "", "workersPerQueue", bounds) : key === "concurrency" ? overLimit("concurrency", v as number, "", "concurrencyPerWorker", bounds) : undefined);
      if (m) out.push([key, m]);
    } else if (key === "retry") {
      const m = retryProblem(v);
      if (m) out.push([key, `${m}; write retry: 3 or { max: 3, backoff: "exponential", delay: 60 }`]);
    } else if (key === "partitions") {
      if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > MAX_PARTITIONS) {
        out.push([key, `${JSON.stringify(v)} is not a whole number from 1 to ${MAX_PARTITIONS}; write partitions: 3 to spread the queue over 3 hash tags`]);
      } else if (v > 1 && (value as Record<string, unknown>).rateLimit !== undefined) {
        // the limiter is one key on one tag: each partition would count on its own and N partitions let N x max through
        out.push([key, `cannot be combined with rateLimit: the limit is counted on one tag; drop partitions, or rateLimit`]);
      }
    } else if (key === "rateLimit") {
      if (!isPlainObject(v) || checkPositiveInteger(v.max) || checkPositiveSeconds(v.per) || Object.keys(v).some((k) => k !== "max" && k !== "per")) {
        out.push([key, `must be { max: <jobs, whole number >= 1>, per: <seconds > 0> }, got ${JSON.stringify(v)}`]);
      }
    } else {
      out.push([key, `unknown queue setting "${key}"${suggest(key, QUEUE_KEYS)}; allowed: ${QUEUE_KEYS.join(", ")}`]);
    }
  }
  return out;
}
