/**
 * Counters per schedule (schedule-stats:<task>), kept by the scripts that record what happened:
 * the enqueue guard (fired, caughtUp, backfilled, skipped:overlap, lastLatenessMs), the ledger
 * scripts (missed, skipped:<reason>), the finish/fail scripts (failed, failStreak) and the
 * deadline script (deadlineMissed). Shown by `why` and `status --json`.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.js";
import { scheduleKeys } from "../redis/schedule-keys.js";
import { readPerTag } from "../redis/tag-pipeline.js";
import { guardTag } from "./guard-records.js";

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

/**
 * Each task's counters. With `queueOf` (a task's queue) on the per-queue layout, the counters
 * the enqueue guard and the job scripts keep on the queue's tag are added to the installation's
 * (one pipeline per tag, sent together); on the installation layout one key, one pipeline.
 */
export async function readCounters(redis: Redis, keys: Keys, tasks: string[], queueOf?: (task: string) => string | undefined): Promise<ScheduleCounters[]> {
  if (tasks.length === 0) return [];
  const sk = scheduleKeys(keys);
  const items = tasks.map((id) => ({ id, queue: queueOf?.(id) }));
  const offRoot = items.filter((t) => guardTag(keys, t) !== keys.root);
  const [replies, tagged] = await Promise.all([
    readPerTag(redis, items, () => keys.root, (pipe, t) => pipe.hgetall(sk.stats(t.id))),
    offRoot.length ? readPerTag(redis, offRoot, (t) => guardTag(keys, t), (pipe, t) => pipe.hgetall(sk.stats(t.id, guardTag(keys, t)))) : [],
  ]);
  const onTag = new Map(offRoot.map((t, i) => [t.id, (tagged[i]?.[0] ?? {}) as Record<string, string>]));
  return items.map((t, i) => parseCounters(addCounters((replies[i]?.[0] ?? {}) as Record<string, string>, onTag.get(t.id))));
}

/** Fields that are a last value, not a count: the queue tag's (the enqueue guard's) wins. */
const LAST_VALUES = new Set(["lastLatenessMs"]);

function addCounters(root: Record<string, string>, tag: Record<string, string> | undefined): Record<string, string> {
  if (!tag) return root;
  const out = { ...root };
  for (const [k, v] of Object.entries(tag)) out[k] = LAST_VALUES.has(k) || out[k] === undefined ? v : String((Number(out[k]) || 0) + (Number(v) || 0));
  return out;
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
