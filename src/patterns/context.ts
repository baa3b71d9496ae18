/**
 * Where a pattern gets its Redis from: an explicit `{ redis, keys }` option first, else the
 * process's active context (set by the worker, the daemon or the app), so task code can call
 * `runWithLock("x", fn)` with no plumbing.
 */
import type { Redis } from "ioredis";
import { SchedulerError } from "../errors.js";
import { systemClock, type Clock } from "../clock.js";
import { createKeys, type Keys } from "../redis/keys.js";
import { runtime } from "../runtime/context.js";

/** The optional connection every pattern accepts. */
export interface RedisTarget {
  redis?: Redis;
  /** Key builder; defaults to the active context's, or the default prefix with an explicit redis. */
  keys?: Keys;
}

export interface PatternContext {
  redis: Redis;
  keys: Keys;
  clock: Clock;
}

function looksLikeContext(value: unknown): value is { redis: Redis; keys: Keys; clock?: Clock } {
  if (typeof value !== "object" || value === null) return false;
  const v = value as { redis?: unknown; keys?: unknown };
  return typeof v.redis === "object" && v.redis !== null && typeof v.keys === "object" && v.keys !== null;
}

/** The active context if there is one (never throws). */
export function maybePatternContext(target: RedisTarget = {}): PatternContext | undefined {
  const active = runtime().active;
  const ctx = looksLikeContext(active) ? active : undefined;
  // An explicit connection brings its own key prefix (default "hs" unless `keys` is given).
  if (target.redis) return { redis: target.redis, keys: target.keys ?? createKeys(), clock: ctx?.clock ?? systemClock };
  if (!ctx) return undefined;
  return { redis: ctx.redis, keys: target.keys ?? ctx.keys, clock: ctx.clock ?? systemClock };
}

/** The context for `what` (named in the error), or a clear error saying how to provide one. */
export function patternContext(what: string, target: RedisTarget = {}): PatternContext {
  const ctx = maybePatternContext(target);
  if (!ctx) {
    throw new SchedulerError("NO_CONTEXT", `${what}: no Redis connection: not inside a job and no active context`, {
      hint: `pass { redis, keys } to ${what}, or call it from a task run by a worker`,
    });
  }
  return ctx;
}
