/**
 * Redis connections. One place decides options (retry, error wording), so every component
 * reconnects the same way and every error names the URL it was trying.
 */
import { Redis, type RedisOptions } from "ioredis";
import { RedisUnavailableError } from "../base/errors.js";
import { redactUrl } from "../security/redact-url.js";
import { databaseOutOfRange, isSelectFailure } from "./database-check.js";
import { redisTimeouts } from "./timeouts.js";
import { formatSeconds } from "../base/duration.js";
import { stripTlsOptions, tlsConnectOptions, tlsHint } from "./tls.js";
import { createTopologyClient, setCommandTimeout } from "./cluster.js";
import { isTopologyUrl } from "./redis-url.js";
import { durabilityOfUrl, stripDurability, useDurability } from "./durability.js";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export interface ConnectOptions {
  /** Fail the first command instead of queueing it while disconnected (CLI one-shots). */
  failFast?: boolean;
  /** For blocking commands (BLPOP/BZPOPMIN): no per-command timeout. */
  blocking?: boolean;
  connectionName?: string;
  /** Connect deadline (TCP connect plus the first answer); default SCHEDULER_CONNECT_TIMEOUT. */
  connectTimeoutMs?: number;
  /** Per-command deadline of a failFast client; default SCHEDULER_COMMAND_TIMEOUT. */
  commandTimeoutMs?: number;
  /** Stop connecting at once (a daemon told to stop while waiting for Redis). */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/** The URL with any password replaced, for messages and logs (every form: src/security/redact-url.ts). */
export { redactUrl } from "../security/redact-url.js";

export function createRedis(url: string, options: ConnectOptions = {}): Redis {
  const timeouts = redisTimeouts(options.env);
  const base: RedisOptions = {
    lazyConnect: true,
    enableAutoPipelining: false,
    connectionName: options.connectionName,
    // A daemon must survive Redis restarts: keep retrying with a capped backoff.
    retryStrategy: options.failFast ? () => null : (times) => Math.min(times * 200, 2000),
    maxRetriesPerRequest: options.failFast ? 0 : options.blocking ? null : 20,
    enableOfflineQueue: !options.failFast,
    connectTimeout: options.connectTimeoutMs ?? timeouts.connectMs,
    // How long disconnect() waits for the peer to close its side; a silent peer never does,
    // and a CLI or a stopping daemon must not sit out ioredis's default 2 s for it.
    disconnectTimeout: 200,
  };
  // redis+cluster:// and redis+sentinel:// (src/redis/cluster.ts): the same options per node.
  // rediss://: CA, client certificate, servername and a short handshake bound (src/redis/tls.ts).
  const redis = isTopologyUrl(url)
    ? createTopologyClient(url, base, options.failFast === true)
    : new Redis(stripDurability(stripTlsOptions(url)), { ...base, ...tlsConnectOptions(url) });
  // ?durability=replicated: enqueues WAIT for a replica (src/redis/durability.ts).
  useDurability(redis, durabilityOfUrl(url));
  return redis;
}

/**
 * `step` on a connection just opened for it (the key layout read when a process connects): a
 * failure closes the connection before it is thrown, so no client keeps the process alive
 * behind the error line.
 */
export async function closingOnFailure<T>(redis: Redis, step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (err) {
    redis.disconnect();
    throw err;
  }
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
  // ioredis's connectTimeout ends at the TCP connect; a port that accepts and never answers
  // would then wait on the ready check forever. One deadline covers connect and first PING.
  const timeouts = redisTimeouts(options.env);
  const deadlineMs = options.connectTimeoutMs ?? timeouts.connectMs;
  let stopped: Error | undefined;
  const stop = (why: Error) => {
    stopped ??= why;
    if (redis.status !== "end") redis.disconnect();
    // disconnect() ends the socket politely and waits for the peer; a silent peer never
    // closes its side, so close ours now.
    redis.stream?.destroy();
  };
  const timer = setTimeout(() => stop(new Error(`no answer within ${formatSeconds(deadlineMs)}`)), deadlineMs);
  const onAbort = () => stop(new Error("stopped while connecting"));
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (options.signal?.aborted) onAbort();
    await redis.connect();
    await redis.ping();
    if (stopped) throw stopped;
    if (isSelectFailure(cause)) throw await databaseOutOfRange(redis, url);
    // Set once connected: a timer on the ready check of a silent port would outlive the
    // disconnect above and keep a failed CLI alive. A one-shot command against a server that
    // stopped answering then fails instead of waiting; daemon connections wait out an outage.
    if (options.failFast && !options.blocking) setCommandTimeout(redis, options.commandTimeoutMs ?? timeouts.commandMs);
    return redis;
  } catch (err) {
    if (err instanceof RedisUnavailableError) {
      redis.disconnect();
      throw err;
    }
    // On an ended client disconnect() arms a 2 s stream timer that keeps a CLI alive for nothing.
    if (!stopped && redis.status !== "end") redis.disconnect();
    const reason = stopped ?? (cause && (err as Error).message === "Connection is closed." ? cause : (err as Error));
    // OpenSSL's messages end in a newline; the error is one line.
    const said = reason.message.replace(/\s*\n\s*/g, " ").trim();
    throw new RedisUnavailableError("REDIS_UNAVAILABLE", `cannot reach Redis at ${redactUrl(url)}: ${said}`, {
      hint: connectHint(url, reason),
      cause: err,
    });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/** What to do about a failed connection, by what failed. */
function connectHint(url: string, err: Error): string {
  if (/WRONGPASS|NOAUTH|NOPERM/.test(err.message)) return "check the user and password in the URL (user:password before the @) and the user's ACL";
  const tls = url.startsWith("rediss:") ? tlsHint(err) : undefined;
  if (tls) return tls;
  if (url.startsWith("rediss:")) return "rediss:// speaks TLS: is the server at that port TLS-enabled (tls-port)? use redis:// for a plain server";
  if (/^no answer within/.test(err.message)) return "something accepted the connection but did not answer like Redis: check the host and port, or raise SCHEDULER_CONNECT_TIMEOUT (seconds) for a slow link";
  return "start redis-server, or point --redis / REDIS_URL / hooks `redis` at a running server";
}

/** True when something answers PING at the URL within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 500): Promise<boolean> {
  const probe: RedisOptions = {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    disconnectTimeout: 200,
  };
  const redis = isTopologyUrl(url) ? createTopologyClient(url, probe, true) : new Redis(url, probe);
  redis.on("error", () => {});
  // As in connectRedis: the ready check of a silent port is not covered by connectTimeout.
  const timer = setTimeout(() => {
    if (redis.status !== "end") redis.disconnect();
    redis.stream?.destroy();
  }, timeoutMs);
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    if (redis.status !== "end") redis.disconnect();
  }
}
