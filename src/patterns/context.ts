/**
 * Where a pattern gets its Redis from: an explicit `{ redis, keys }` option first, else the
 * process's active queue env (src/queue/context.ts: set by the worker, the daemon, or the app's
 * `configure()`), so task code can call `runWithLock("x", fn)` with no plumbing.
 */
import type { Redis } from "ioredis";
import { SchedulerError } from "../base/errors.js";
import { systemClock, type Clock } from "../base/clock.js";
import { createKeys, type Keys } from "../redis/keys.js";
import { maybeActiveContext } from "../queue/context.js";

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

/** The active context if there is one (never throws). */
export function maybePatternContext(target: RedisTarget = {}): PatternContext | undefined {
  const ctx = maybeActiveContext();
  // An explicit connection brings its own key prefix (default "hs" unless `keys` is given).
  if (target.redis) return { redis: target.redis, keys: target.keys ?? createKeys(), clock: systemClock };
  if (!ctx) return undefined;
  return { redis: ctx.redis, keys: target.keys ?? ctx.keys, clock: ctx.clock ?? systemClock };
}

/** The context for `what` (named in the error), or a clear error saying how to provide one. */
export function patternContext(what: string, target: RedisTarget = {}): PatternContext {
  const ctx = maybePatternContext(target);
  if (!ctx) {
    throw new SchedulerError("NO_CONTEXT", `${what}: no Redis connection: not inside a job and no active context`, {
      hint: `pass { redis, keys } to ${what}, call configure({ redis }) first, or call it from a task run by a worker`,
    });
  }
  return ctx;
}
