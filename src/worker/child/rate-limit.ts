/**
 * Per-queue rate limits (`queues.<name>.rateLimit: { max, per }` in hooks): at most `max` job
 * starts per `per` seconds, across every worker process and host on this Redis.
 *
 * A sliding-window log in one sorted set per queue, checked and updated by one Lua script (one
 * round trip per call). Unlike a fixed window it never admits 2×max around a window boundary,
 * and unlike a token bucket it enforces exactly "max in any `per` seconds". Memory: at most
 * 2×max members per limited queue (slots are kept two windows, for callers whose `now` arrives
 * out of order; see the script). Times come from the caller's clock: hosts sharing a limiter
 * should keep their clocks in sync (NTP), as skew shifts the window by the skew.
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { SchedulerError } from "../../base/errors.js";
import type { Keys } from "../../redis/keys.js";
import type { RateLimit } from "../../config/types.js";
import { runScript } from "../../redis/scripts.js";
import { scriptResult } from "../../redis/script-results.js";

/** A QueueEnv (src/queue/context.ts) satisfies this: only `queues.<name>.rateLimit` is read. */
export interface RateLimitEnv {
  redis: Redis;
  keys: Keys;
  queues: Record<string, { rateLimit?: RateLimit }>;
}

/** `slot` identifies the granted slot, for releaseRateSlot; absent when the queue has no limit. */
export type RateSlot = { ok: true; slot?: string } | { ok: false; retryInMs: number };

export function checkRateLimit(queue: string, limit: RateLimit): void {
  if (!Number.isInteger(limit.max) || limit.max < 1) {
    throw new SchedulerError("BAD_CONFIG", `queues.${queue}.rateLimit.max must be an integer >= 1, got ${limit.max}`);
  }
  if (typeof limit.per !== "number" || !Number.isFinite(limit.per) || limit.per <= 0) {
    throw new SchedulerError("BAD_CONFIG", `queues.${queue}.rateLimit.per must be a positive number of seconds, got ${limit.per}`);
  }
}

/**
 * Take one start slot of `queue` at time `now` (ms). `{ ok: true }` at once when the queue has no
 * rateLimit; otherwise one script call. On `{ ok: false, retryInMs }` do not dequeue from that
 * queue for retryInMs (the oldest slot leaves the window then).
 */
export async function acquireRateSlot(env: RateLimitEnv, queue: string, now: number): Promise<RateSlot> {
  const limit = env.queues[queue]?.rateLimit;
  if (!limit) return { ok: true };
  checkRateLimit(queue, limit);
  const slot = `${now}-${randomBytes(6).toString("hex")}`;
  const grant = scriptResult.ratelimit_acquire(await runScript(env.redis, "ratelimit_acquire", [env.keys.rateLimit(queue)], [
    now,
    Math.round(limit.per * 1000),
    limit.max,
    slot,
  ]));
  return grant.granted ? { ok: true, slot } : { ok: false, retryInMs: grant.retryInMs };
}

/** Give back a slot that was granted but not used (e.g. the queue turned out empty). */
export async function releaseRateSlot(env: Pick<RateLimitEnv, "redis" | "keys">, queue: string, slot: string): Promise<boolean> {
  return scriptResult.ratelimit_release(await runScript(env.redis, "ratelimit_release", [env.keys.rateLimit(queue)], [slot]));
}
