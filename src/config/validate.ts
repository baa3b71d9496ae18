/**
 * Checks of single config values. Each returns undefined when the value is fine, else one
 * message saying what is wrong and what to write instead. The caller adds where the value came
 * from (`--redis`, `REDIS_URL`, `hooks.ts: queues.long.timeout`), so the same check serves
 * flags, the environment and the hooks file.
 */
import { IANAZone } from "luxon";
import { isPlainObject } from "../base/plain-object.js";
import { createKeys } from "../redis/keys.js";
import { LOG_LEVELS } from "./defaults.js";
import { redactUrl } from "../security/redact-url.js";
import { checkRedisTls, checkTlsUrlOptions } from "../redis/tls.js";
import { checkTopologyObject, isTopologyUrl, parseTopologyUrl, TOPOLOGY_OBJECT_KEYS } from "../redis/redis-url.js";
import { retryProblem } from "../queue/retry.js";
import { limits, overLimit, type Limits } from "../queue/limits.js";

/** hooks `redis`: a URL, or { url?, tls? } (src/redis/tls.ts). */
export function checkHooksRedis(value: unknown): string | undefined {
  if (!isPlainObject(value)) return checkRedisUrl(value);
  if (value.cluster !== undefined || value.sentinels !== undefined) {
    const extraKey = Object.keys(value).find((k) => k !== "tls" && !(TOPOLOGY_OBJECT_KEYS as readonly string[]).includes(k));
    if (extraKey !== undefined) return `unknown key "${extraKey}"; allowed with cluster/sentinels: ${["tls", ...TOPOLOGY_OBJECT_KEYS].join(", ")}`;
    return checkTopologyObject(value) ?? (value.tls === undefined || value.tls === true || value.tls === false ? undefined : checkRedisTls(value.tls));
  }
  const extra = Object.keys(value).find((k) => k !== "url" && k !== "tls");
  if (extra !== undefined) return `unknown key "${extra}"; write redis: "redis://host:6379" or { url: "rediss://host:6380", tls: { ca: "ca.pem" } }`;
  if (value.url !== undefined) {
    const m = checkRedisUrl(value.url);
    if (m) return `url: ${m}`;
  }
  return value.tls === undefined ? undefined : checkRedisTls(value.tls);
}

export function checkTimezone(value: unknown): string | undefined {
  if (typeof value !== "string" || !IANAZone.isValidZone(value)) {
    return `${JSON.stringify(value)} is not an IANA time zone; use a name like "Europe/Berlin", "America/New_York" or "UTC"`;
  }
  return undefined;
}

/** The highest database index a URL may name (Redis's own index is a signed 32-bit int). */
const MAX_DB_INDEX = 2 ** 31 - 1;

export function checkRedisUrl(value: unknown): string | undefined {
  const fix = "use redis://[:password@]host:port[/db], rediss://... for TLS, redis+cluster://host:port[,host:port...], redis+sentinel://host:port[,...]/MASTER_NAME, or an absolute unix socket path";
  // Never quote a URL with its password: the message goes to screens and logs.
  const shown = typeof value === "string" ? JSON.stringify(redactUrl(value)) : JSON.stringify(value) ?? String(value);
  if (typeof value !== "string" || value.trim() === "") return `${shown} is not a Redis URL; ${fix}`;
  if (value.startsWith("/")) return undefined;
  if (isTopologyUrl(value)) {
    const parsed = parseTopologyUrl(value);
    return typeof parsed === "string" ? parsed : undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${shown} is not a Redis URL; ${fix}`;
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    return `${shown} has scheme "${url.protocol}" which is not a Redis URL; ${fix}`;
  }
  if (url.hostname === "") return `${shown} names no host; write ${url.protocol}//127.0.0.1:6379 (or the server's host and port)`;
  const db = url.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d+$/.test(db)) return `${shown} names database "${db}", which is not a number; ${fix}`;
  const dbParam = url.searchParams.get("db");
  if (dbParam !== null && !/^\d+$/.test(dbParam)) return `${shown} names database "${dbParam}" (?db=), which is not a number; ${fix}`;
  if (dbParam !== null && db !== "" && Number(dbParam) !== Number(db)) return `${shown} names two databases (/${db} and ?db=${dbParam}); give one`;
  const tls = checkTlsUrlOptions(url);
  if (tls) return `${shown}: ${tls}`;
  const durability = url.searchParams.get("durability");
  if (durability !== null && durability !== "replicated" && durability !== "none") return `${shown}: ?durability= must be "replicated" or "none"`;
  const index = Number(dbParam ?? (db || "0"));
  if (index > MAX_DB_INDEX) return `${shown} names database ${db || dbParam}, which is out of range; a Redis database is 0..15 unless the server's \`databases\` setting allows more`;
  return undefined;
}

export function checkPrefix(value: unknown): string | undefined {
  if (typeof value !== "string") return `${JSON.stringify(value)} is not a key prefix; use letters, digits, "_", "-" or "."`;
  try {
    createKeys(value);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
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
const QUEUE_KEYS = ["timeout", "workers", "concurrency", "rateLimit", "maxMemoryMb", "retry"] as const;

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
