/**
 * Checks of the Redis settings: a Redis URL (`--redis`, `REDIS_URL`, hooks `redis`), the hooks
 * `redis` object form and a key prefix. Like src/config/validate.ts, each returns undefined when
 * the value is fine, else one message saying what is wrong and what to write instead; the
 * caller adds where the value came from.
 */
import { isPlainObject } from "../base/plain-object.js";
import { redactUrl } from "../security/redact-url.js";
import { createKeys } from "./keys.js";
import { checkTopologyObject, isTopologyUrl, parseTopologyUrl, TOPOLOGY_OBJECT_KEYS } from "./redis-url.js";
import { checkRedisTls, checkTlsUrlOptions } from "./tls.js";

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
