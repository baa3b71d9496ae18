/**
 * Counters per schedule (schedule-stats:<task>), kept by the scripts that record what happened:
 * the enqueue guard (fired, caughtUp, backfilled, skipped:overlap, lastLatenessMs), the ledger
 * scripts (missed, skipped:<reason>), the finish/fail scripts (failed, failStreak) and the
 * deadline script (deadlineMissed). Shown by `why` and `status --json`.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.js";
import { scheduleKeys } from "../redis/schedule-keys.js";

export interface ScheduleCounters {
  fired: number;
  /** Skipped slots by reason: overlap, paused, disabled, excluded, outside-catchup-window. */
  skipped: Record<string, number>;
  /** Slots collapsed into a later run (catchup "latest"). */
  missed: number;
  caughtUp: number;
  backfilled: number;
  deadlineMissed: number;
  failed: number;
  /** Consecutive failed runs now (pauseOnFailure counts these). */
  failStreak: number;
  /** ms between the last on-schedule slot and its enqueue. */
  lastLatenessMs?: number;
}

export function parseCounters(hash: Record<string, string>): ScheduleCounters {
  const n = (k: string) => Number(hash[k] ?? 0) || 0;
  const skipped: Record<string, number> = {};
  for (const [k, v] of Object.entries(hash)) if (k.startsWith("skipped:")) skipped[k.slice(8)] = Number(v) || 0;
  return {
    fired: n("fired"),
    skipped,
    missed: n("missed"),
    caughtUp: n("caughtUp"),
    backfilled: n("backfilled"),
    deadlineMissed: n("deadlineMissed"),
    failed: n("failed"),
    failStreak: n("failStreak"),
    ...(hash.lastLatenessMs !== undefined ? { lastLatenessMs: Number(hash.lastLatenessMs) } : {}),
  };
}

export async function readCounters(redis: Redis, keys: Keys, tasks: string[]): Promise<ScheduleCounters[]> {
  if (tasks.length === 0) return [];
  const pipe = redis.pipeline();
  for (const t of tasks) pipe.hgetall(scheduleKeys(keys).stats(t));
  const res = (await pipe.exec()) ?? [];
  return res.map(([err, hash]) => {
    if (err) throw err;
    return parseCounters((hash ?? {}) as Record<string, string>);
  });
}

/** "fired 12, skipped 3 (overlap 2, paused 1), missed 4, ..." (zeros left out). */
export function describeCounters(c: ScheduleCounters): string {
  const parts = [`fired ${c.fired}`];
  const skips = Object.entries(c.skipped).filter(([, v]) => v > 0);
  if (skips.length) parts.push(`skipped ${skips.reduce((s, [, v]) => s + v, 0)} (${skips.map(([k, v]) => `${k} ${v}`).join(", ")})`);
  for (const [label, v] of [["missed", c.missed], ["caught up", c.caughtUp], ["backfilled", c.backfilled], ["deadline missed", c.deadlineMissed], ["failed", c.failed]] as const) {
    if (v > 0) parts.push(`${label} ${v}`);
  }
  if (c.lastLatenessMs !== undefined) parts.push(`last lateness ${c.lastLatenessMs} ms`);
  return parts.join(", ");
}
