/**
 * The ARGV[1] header every job script gets (see src/redis/lua/job_lib.lua): key prefixes built
 * by keys.ts, so scripts can name per-job and per-queue keys without building keys themselves,
 * plus the events cap and the attempt-history cap.
 */
import type { Keys } from "../redis/keys.js";
import { EVENTS_MAXLEN } from "../log/events.js";
import { runScript } from "../redis/scripts.js";
import type { QueueContext } from "./types.js";

/** Attempt records kept per job (oldest dropped first). */
export const ATTEMPTS_KEPT = 25;
/** Expired registry entries removed per complete/fail call (retention piggyback). */
export const TRIM_BOUND = 10;

const headers = new WeakMap<Keys, string>();

export function scriptHeader(keys: Keys): string {
  let h = headers.get(keys);
  if (!h) {
    const p = {
      job: keys.job(""),
      attempts: keys.attempts(""),
      queue: keys.queue(""),
      wake: keys.wake(""),
      started: keys.started(""),
      finished: keys.finished(""),
      failed: keys.failed(""),
      scheduled: keys.scheduled(""),
      canceled: keys.canceled(""),
    };
    h = JSON.stringify({ p, ml: EVENTS_MAXLEN, cap: ATTEMPTS_KEPT });
    headers.set(keys, h);
  }
  return h;
}

/** Run a job script with the shared KEYS/ARGV prefix: [queues, events] and [header, now]. */
export function runJobScript<T>(ctx: QueueContext, name: string, args: Array<string | number>, extraKeys: string[] = []): Promise<T> {
  return runScript<T>(ctx.redis, name, [ctx.keys.queues(), ctx.keys.events(), ...extraKeys], [scriptHeader(ctx.keys), ctx.clock(), ...args]);
}
