/**
 * A tick's read and plan, slice by slice. With 100 000 tasks one read of every record, one plan
 * over all of them and one pipeline of every baseline were alive at once: that peak, not what
 * the daemon keeps, set its resident memory, which V8 and malloc do not hand back (figures:
 * bench/README.md, scale). A slice of tasks is read, planned and handed to `onSlice` (which
 * writes it) before the next is read, so a tick holds one slice's replies and plan at a time.
 * The first slice's read also takes the switches (and, at a full read, the pause hash), so an
 * ordinary tick is still one round trip.
 */
import type { Redis } from "ioredis";
import type { ScheduledTask } from "../hooks/types.js";
import type { Keys } from "../redis/keys.js";
import type { TickPlan } from "./plan-tick.js";
import type { TickSelection } from "./quiet-index.js";
import { parseSwitches, type SchedulerSwitches } from "./switches.js";
import { pauseKey } from "./tick-controls.js";
import { newerSlots, readTagSlots } from "./guard-records.js";

export const TICK_SLICE = 5000;

/** Plans one slice: its tasks with their slot records and pause records, in task order. */
export type PlanSlice = (tasks: readonly ScheduledTask[], lastSlots: Array<string | null>, pauses: Array<string | null | undefined>, switches: SchedulerSwitches) => TickPlan;

export interface SliceRead {
  redis: Redis;
  keys: Keys;
  selection: TickSelection;
  plan: PlanSlice;
  /** Writes one slice's plan; awaited before the next slice is read. */
  onSlice(plan: TickPlan): Promise<void>;
  /** Tasks per slice (tests choose small ones). */
  slice?: number;
}

/** Reads, plans and hands over every slice of the selection; returns the switches it read. */
export async function planInSlices(o: SliceRead): Promise<SchedulerSwitches> {
  const { redis, keys, selection } = o;
  const all = selection.tasks;
  const size = Math.max(1, o.slice ?? TICK_SLICE);
  let switches: SchedulerSwitches | undefined;
  // A full read takes the whole pause hash (it holds only the paused schedules) instead of
  // naming every task; none paused (the usual case) costs no look-up per task.
  let paused: Map<string, string> | undefined;
  let offset = 0;
  do {
    const part = all.slice(offset, offset + size);
    const ids = part.map((t) => t.id);
    const first = offset === 0;
    const read = redis.pipeline();
    if (first) {
      read.hgetall(keys.schedulerState());
      if (selection.full) read.hgetall(pauseKey(keys));
    }
    if (ids.length) {
      read.call("hmget", [keys.lastSlots(), ...ids]); // one array: spread arguments overflow the stack at ~100 000
      if (!selection.full) read.call("hmget", [pauseKey(keys), ...ids]);
    }
    // the enqueue guard's slot records on the queues' tags (per-queue layout; nothing otherwise)
    const [res0, tagged] = await Promise.all([read.exec(), readTagSlots(redis, keys, part)]);
    const res = res0 ?? [];
    for (const [err] of res) if (err) throw err;
    const replies = res.map(([, value]) => value);
    if (first) {
      switches = parseSwitches((replies.shift() ?? {}) as Record<string, string>);
      if (selection.full) paused = new Map(Object.entries((replies.shift() ?? {}) as Record<string, string>));
    }
    const lastSlots = newerSlots((ids.length ? replies.shift() : []) as Array<string | null>, tagged);
    const pauses = paused ? (paused.size ? ids.map((id) => paused!.get(id)) : []) : ((ids.length ? replies.shift() : []) as Array<string | null>);
    await o.onSlice(o.plan(part, lastSlots, pauses, switches!));
    offset += size;
  } while (offset < all.length);
  return switches!;
}
