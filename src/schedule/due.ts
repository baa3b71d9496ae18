/**
 * Which slots of one task are due now: a pure function of (schedule, zone, last handled slot,
 * now), so catch-up after downtime and clock jumps are tested at chosen instants.
 *
 * - The last handled slot is the one recorded in Redis with its enqueue (or a skip). A slot at
 *   or before it is never fired again: a clock that jumps back a minute fires nothing twice.
 * - A task with no recorded slot (first deploy) fires no past slot: the baseline is the instant
 *   it was first seen (or now), and the caller records it.
 * - Catch-up policies (hooks `catchup`): "latest" (Frappe: missed slots collapse into one run of
 *   the latest), "none" (only a slot within `graceMs` runs; older ones are skipped), and
 *   `{ all: true, window }` (every missed slot inside the window, oldest first, at most
 *   `maxSlots` per call; `more` says call again).
 * - Bounded work: "latest" and "none" cost two next/prev look-ups whatever the downtime;
 *   missed slots are counted up to COUNT_CAP, not enumerated.
 */
import { ConfigError } from "../base/errors.js";
import { DURATION_HINT, durationMs } from "../base/duration.js";
import { parseSchedule } from "./schedule-expression.js";
import { nextFire, prevFire } from "./next-fire.js";

/** A slot this late (ms) is still "on time": catch-up false, and policy "none" still runs it. */
export const DEFAULT_GRACE_MS = 10_000;
/** Policy `all`: at most this many slots per call. */
export const DEFAULT_MAX_SLOTS = 1000;
/** Policy `all` without a window: one day. */
export const DEFAULT_CATCHUP_WINDOW_MS = 86_400_000;
/** Missed slots are counted up to this many (then `capped`). */
export const COUNT_CAP = 1000;

/** Catch-up after downtime: Frappe's rule ("latest": one run), "none", or every missed slot. */
export type CatchupPolicy = "latest" | "none" | { all: true; window?: string | number };

/** What dueSlots reads of a schedule (a hooks ScheduledTask has both). */
export interface DueSchedule {
  expression: string;
  catchup?: CatchupPolicy;
}

export type SkipReason = "missed" | "outside-catchup-window";

export interface DueSlot {
  slot: number;
  /** Fired later than `graceMs` after its time: a catch-up run. */
  catchup: boolean;
}

/** A run of consecutive slots that will not fire, summarized (never one entry per slot). */
export interface SkippedSlots {
  reason: SkipReason;
  /** The latest skipped slot. */
  slot: number;
  firstSlot: number;
  count: number;
  /** `count` stopped at COUNT_CAP: there were at least that many. */
  capped: boolean;
}

export interface DueResult {
  slots: DueSlot[];
  skipped: SkippedSlots[];
  /** The next slot to wake for (undefined: the schedule never fires again). */
  next: number | undefined;
  /** Set when the task had no recorded slot: record this as handled-up-to. */
  baseline?: number;
  /** Policy `all` stopped at maxSlots with more slots due: call again right away. */
  more?: boolean;
}

export interface DueOptions {
  graceMs?: number;
  maxSlots?: number;
}

/** A window or deadline -> ms: seconds or a duration like "6h", "30m", "2d" (src/base/duration.ts). */
export function parseWindow(window: string | number | undefined, where = "catchup.window"): number {
  if (window === undefined) return DEFAULT_CATCHUP_WINDOW_MS;
  const ms = durationMs(window);
  if (ms === undefined) {
    throw new ConfigError("BAD_CATCHUP_WINDOW", `${where}: "${String(window)}" is not a duration`, { hint: DURATION_HINT });
  }
  return ms;
}

/** Slots in (after, upTo], counted without enumerating when the schedule is `@every`. */
export function countSlots(expression: string, zone: string, after: number, upTo: number): { count: number; capped: boolean } {
  if (upTo <= after) return { count: 0, capped: false };
  const s = parseSchedule(expression);
  if (s.kind === "every") {
    const count = Math.floor(upTo / s.periodMs) - Math.floor(after / s.periodMs);
    return { count, capped: false };
  }
  let count = 0;
  for (let t = nextFire(expression, zone, after); t !== undefined && t <= upTo; t = nextFire(expression, zone, t)) {
    if (++count >= COUNT_CAP) return { count, capped: true };
  }
  return { count, capped: false };
}

function skippedRun(expression: string, zone: string, reason: SkipReason, after: number, upTo: number): SkippedSlots[] {
  const first = nextFire(expression, zone, after);
  const last = prevFire(expression, zone, upTo);
  if (first === undefined || last === undefined || first > upTo) return [];
  return [{ reason, slot: last, firstSlot: first, ...countSlots(expression, zone, after, upTo) }];
}

export function dueSlots(
  task: DueSchedule,
  zone: string,
  lastSlot: number | undefined,
  now: number,
  firstSeen?: number,
  options: DueOptions = {},
): DueResult {
  const { expression } = task;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const handled = lastSlot ?? Math.min(firstSeen ?? now, now);
  const base: Pick<DueResult, "baseline"> = lastSlot === undefined ? { baseline: handled } : {};
  const nextAfter = (t: number) => nextFire(expression, zone, Math.max(t, handled));
  const latest = prevFire(expression, zone, now);
  // Nothing new since the last handled slot (also when the clock went back behind it).
  if (latest === undefined || latest <= handled) return { slots: [], skipped: [], next: nextAfter(now), ...base };

  const policy: CatchupPolicy = task.catchup ?? "latest";
  const onTime = (slot: number) => now - slot <= graceMs;
  if (policy === "latest") {
    return {
      slots: [{ slot: latest, catchup: !onTime(latest) }],
      skipped: skippedRun(expression, zone, "missed", handled, latest - 1),
      next: nextAfter(now),
      ...base,
    };
  }
  if (policy === "none") {
    const runs = onTime(latest);
    return {
      slots: runs ? [{ slot: latest, catchup: false }] : [],
      skipped: skippedRun(expression, zone, "outside-catchup-window", handled, runs ? latest - 1 : latest),
      next: nextAfter(now),
      ...base,
    };
  }
  // { all: true, window }: every slot inside the window, oldest first, bounded per call.
  const windowStart = now - parseWindow(policy.window);
  const from = Math.max(handled, windowStart);
  const skipped = from > handled ? skippedRun(expression, zone, "outside-catchup-window", handled, from) : [];
  const maxSlots = options.maxSlots ?? DEFAULT_MAX_SLOTS;
  const slots: DueSlot[] = [];
  let t = nextFire(expression, zone, from);
  while (t !== undefined && t <= now && slots.length < maxSlots) {
    slots.push({ slot: t, catchup: !onTime(t) });
    t = nextFire(expression, zone, t);
  }
  const more = t !== undefined && t <= now;
  return { slots, skipped, next: more ? now : nextAfter(now), ...base, ...(more ? { more } : {}) };
}
