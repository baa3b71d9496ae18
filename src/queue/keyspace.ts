/**
 * The ARGV[1] header every job script gets (see src/redis/lua/job_lib.lua): key prefixes built
 * by keys.ts, so scripts can name per-job and per-queue keys without building keys themselves,
 * plus the events cap, the attempt-history cap, the children cap and the cascade bound.
 */
import type { Keys } from "../redis/keys.js";
import { EVENTS_MAXLEN } from "../log/events.js";
import { runScript } from "../redis/scripts.js";
import type { QueueContext } from "./types.js";

/** Attempt records kept per job (oldest dropped first). */
export const ATTEMPTS_KEPT = 25;
/** Expired registry entries removed per complete/fail call (retention piggyback). */
export const TRIM_BOUND = 10;
/** Child ids kept per parent job (newest kept; `childCount` on the parent counts them all). */
export const CHILDREN_KEPT = 1000;
/**
 * Dependents settled per script call when a dependency fails (the transitive cancel walk).
 * Past it the rest stay deferred until cleanRegistries' deferred sweep settles them.
 */
export const CASCADE_BOUND = 1000;

const headers = new WeakMap<Keys, Map<number, string>>();

/** Retention of canceled jobs when the caller has no retention config (7 days, as failed). */
const DEFAULT_CANCELED_TTL_MS = 7 * 24 * 3600 * 1000;

/** The header for these keys; `canceledTtlMs` is the retention of jobs a script cancels. */
export function scriptHeader(keys: Keys, canceledTtlMs: number = DEFAULT_CANCELED_TTL_MS): string {
  let byTtl = headers.get(keys);
  if (!byTtl) {
    byTtl = new Map();
    headers.set(keys, byTtl);
  }
  let h = byTtl.get(canceledTtlMs);
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
      deferred: keys.deferred(""),
      dependents: keys.dependents(""),
      children: keys.children(""),
    };
    h = JSON.stringify({ p, ml: EVENTS_MAXLEN, cap: ATTEMPTS_KEPT, ccap: CHILDREN_KEPT, cascade: CASCADE_BOUND, cttl: canceledTtlMs });
    byTtl.set(canceledTtlMs, h);
  }
  return h;
}

/** Canceled jobs are kept as long as failed ones (see cancel() in registry.ts). */
function canceledTtl(ctx: QueueContext): number | undefined {
  const failed = (ctx as { retention?: { failed?: number } }).retention?.failed;
  return typeof failed === "number" ? failed * 1000 : undefined;
}

/** Run a job script with the shared KEYS/ARGV prefix: [queues, events] and [header, now]. */
export function runJobScript<T>(ctx: QueueContext, name: string, args: Array<string | number>, extraKeys: string[] = []): Promise<T> {
  return runScript<T>(ctx.redis, name, [ctx.keys.queues(), ctx.keys.events(), ...extraKeys], [scriptHeader(ctx.keys, canceledTtl(ctx)), ctx.clock(), ...args]);
}
