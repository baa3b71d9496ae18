/**
 * Redis connections. One place decides options (retry, error wording), so every component
 * reconnects the same way and every error names the URL it was trying.
 */
import { Redis, type RedisOptions } from "ioredis";
import { RedisUnavailableError } from "../errors.js";
import { redactUrl } from "../security/redact-url.js";
import { databaseOutOfRange, isSelectFailure } from "./database-check.js";
import { stripTlsOptions, tlsConnectOptions, tlsHint } from "./tls.js";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export interface ConnectOptions {
  /** Fail the first command instead of queueing it while disconnected (CLI one-shots). */
  failFast?: boolean;
  /** For blocking commands (BLPOP/BZPOPMIN): no per-command timeout. */
  blocking?: boolean;
  connectionName?: string;
}

/** The URL with any password replaced, for messages and logs (every form: src/security/redact-url.ts). */
export { redactUrl } from "../security/redact-url.js";

export function createRedis(url: string, options: ConnectOptions = {}): Redis {
  const base: RedisOptions = {
    lazyConnect: true,
    enableAutoPipelining: false,
    connectionName: options.connectionName,
    // A daemon must survive Redis restarts: keep retrying with a capped backoff.
    retryStrategy: options.failFast ? () => null : (times) => Math.min(times * 200, 2000),
    maxRetriesPerRequest: options.failFast ? 0 : options.blocking ? null : 20,
    enableOfflineQueue: !options.failFast,
  };
  // rediss://: CA, client certificate, servername and a short handshake bound (src/redis/tls.ts).
  return new Redis(stripTlsOptions(url), { ...base, ...tlsConnectOptions(url) });
}

/** Connect and PING once; on failure throw one clear line naming the URL. */
export async function connectRedis(url: string, options: ConnectOptions = {}): Promise<Redis> {
  const redis = createRedis(url, options);
  // The cause (WRONGPASS, ETIMEDOUT, ...) arrives as an error event; connect() itself only
  // rejects with "Connection is closed.". Keep the first one for the message.
  let cause: Error | undefined;
  redis.on("error", (err: Error) => {
    cause ??= err;
  });
  try {
    await redis.connect();
    await redis.ping();
    if (isSelectFailure(cause)) throw await databaseOutOfRange(redis, url);
    return redis;
  } catch (err) {
    if (err instanceof RedisUnavailableError) {
      redis.disconnect();
      throw err;
    }
    // On an ended client disconnect() arms a 2 s stream timer that keeps a CLI alive for nothing.
    if (redis.status !== "end") redis.disconnect();
    const reason = cause && (err as Error).message === "Connection is closed." ? cause : (err as Error);
    throw new RedisUnavailableError("REDIS_UNAVAILABLE", `cannot reach Redis at ${redactUrl(url)}: ${reason.message}`, {
      hint: connectHint(url, reason),
      cause: err,
    });
  }
}

/** What to do about a failed connection, by what failed. */
function connectHint(url: string, err: Error): string {
  if (/WRONGPASS|NOAUTH|NOPERM/.test(err.message)) return "check the user and password in the URL (user:password before the @) and the user's ACL";
  const tls = url.startsWith("rediss:") ? tlsHint(err) : undefined;
  if (tls) return tls;
  if (url.startsWith("rediss:")) return "rediss:// speaks TLS: is the server at that port TLS-enabled (tls-port)? use redis:// for a plain server";
  return "start redis-server, or point --redis / REDIS_URL / hooks `redis` at a running server";
}

/** True when something answers PING at the URL within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 500): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    if (redis.status !== "end") redis.disconnect();
  }
}
