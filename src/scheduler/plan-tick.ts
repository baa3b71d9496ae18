/**
 * One tick's plan, pure: from what the tick read (the switches, each task's recorded slot and
 * pause record) and the instant, which slots fire, which are recorded as skipped without a
 * run, which first-seen baselines are written and when to wake next. No Redis, no clock, no
 * logger: scheduler.ts reads, calls planTick, then executes the plan (enqueues and ledger
 * writes). Overlap is not decided here: enqueue.lua sees the previous run's state atomically.
 */
import type { ScheduledTask } from "../hooks/types.js";
import { dueSlots, type DueResult, type DueSlot } from "../schedule/due.js";
import { exclusionOf } from "../schedule/exclusions.js";
import type { LedgerEntry } from "./ledger.js";
import { offReason, type SchedulerSwitches } from "./switches.js";

/**
 * A task that had nothing due at its last tick: its recorded slot then, and its next slot.
 * While that record is unchanged and the next slot not reached, nothing can be due (dueSlots is
 * pure), so the plan skips the cron walk, which with 10 000 entries made every tick cost seconds
 * of CPU (bench/run.mjs, scale scenario).
 */
export interface QuietMark {
  last: string | null;
  next: number | undefined;
}

export interface PlanInput {
  tasks: readonly ScheduledTask[];
  /** Per task, same order: its recorded last slot as Redis answered (null: none yet). */
  lastSlots: ReadonlyArray<string | null | undefined>;
  /** Per task, same order: its per-schedule pause record (empty: not paused). */
  pauses: ReadonlyArray<string | null | undefined>;
  switches: SchedulerSwitches;
  now: number;
  /** IANA zone cron is evaluated in. */
  zone: string;
  /** When this daemon first saw the task: the baseline of a task with no recorded slot. */
  firstSeen(taskId: string): number | undefined;
  /** A slot this late still counts as on time (see schedule/due.ts). */
  graceMs?: number;
  /** The task's mark from an earlier plan (QuietMark), if any. */
  quiet?(task: ScheduledTask): QuietMark | undefined;
}

export interface PlannedSlot extends DueSlot {
  /** The `except` rule that excludes this slot: recorded as skipped (excluded), not enqueued. */
  excludedBy?: string;
}

export interface PlannedFire {
  task: ScheduledTask;
  /** Oldest first: the slot record only moves forward. */
  slots: PlannedSlot[];
  /** Entries of the missed and out-of-window slots before `slots`: written first, and only when this daemon fired one of `slots`. */
  older: LedgerEntry[];
}

export interface PlannedSkip {
  task: ScheduledTask;
  /** Slots up to this one are handled without a run. */
  slot: number;
  entry: LedgerEntry;
}

export interface TickPlan {
  fires: PlannedFire[];
  skips: PlannedSkip[];
  /** First-seen tasks: record this slot as handled-up-to (only if nothing is recorded). */
  baselines: Array<{ task: ScheduledTask; slot: number }>;
  /** QuietMark changes: set the mark, or drop it (undefined). */
  quiet: Array<{ task: ScheduledTask; mark: QuietMark | undefined }>;
  /** Tasks whose slots could not be computed; the rest of the plan goes on. */
  errors: Array<{ task: ScheduledTask; error: unknown }>;
  /** The earliest next slot of any task (undefined: none ever again). */
  nextWake: number | undefined;
}

/** The ledger entry of slots handled without a run (off, or outside the catch-up window). */
export function skipEntryOf(slot: number, now: number, reason: LedgerEntry["reason"], due: DueResult, first?: number): LedgerEntry {
  const count = due.slots.length + due.skipped.reduce((n, s) => n + s.count, 0);
  return { slot, at: now, outcome: "skipped", reason, catchup: false, count, firstSlot: first, capped: due.skipped.some((s) => s.capped) || undefined };
}

/** The ledger entry of a slot `except` excludes, recorded at `at`. */
export function excludedEntry(s: PlannedSlot & { excludedBy: string }, at: number): LedgerEntry {
  return { slot: s.slot, at, outcome: "skipped", reason: "excluded", detail: s.excludedBy, catchup: s.catchup };
}

/** Missed and out-of-window runs as ledger entries (collapsed: one entry per run, with its count). */
function olderEntries(due: DueResult, now: number): LedgerEntry[] {
  return due.skipped.map((k) => ({
    slot: k.slot,
    at: now,
    outcome: k.reason === "missed" ? "missed" : "skipped",
    ...(k.reason === "missed" ? {} : { reason: k.reason }),
    catchup: true,
    count: k.count,
    firstSlot: k.firstSlot,
    ...(k.capped ? { capped: true } : {}),
  }));
}

export function planTick(input: PlanInput): TickPlan {
  const { tasks, lastSlots, pauses, now, zone } = input;
  const plan: TickPlan = { fires: [], skips: [], baselines: [], quiet: [], errors: [], nextWake: undefined };
  const schedulerOff = offReason(input.switches);
  let next = Infinity;
  tasks.forEach((task, i) => {
    const raw = lastSlots[i] ?? null;
    const off = schedulerOff ?? (pauses[i] ? "paused" : undefined); // paused one by one
    const idle = input.quiet?.(task);
    if (idle && idle.last === raw && (idle.next === undefined || now < idle.next)) {
      if (idle.next !== undefined) next = Math.min(next, idle.next);
      return;
    }
    let due: DueResult;
    let slots: PlannedSlot[];
    try {
      due = dueSlots(task, zone, raw == null ? undefined : Number(raw), now, input.firstSeen(task.id) ?? now, { graceMs: input.graceMs });
      slots = off ? due.slots : due.slots.map((s) => {
        const rule = exclusionOf(task.except, s.slot, zone);
        return rule ? { ...s, excludedBy: rule } : s;
      });
    } catch (error) {
      plan.errors.push({ task, error });
      return;
    }
    // A first-seen task's baseline is what the slot record will say from this tick on.
    const quiet = due.slots.length === 0 && due.skipped.length === 0;
    plan.quiet.push({ task, mark: quiet ? { last: due.baseline !== undefined ? String(due.baseline) : raw, next: due.next } : undefined });
    if (due.next !== undefined) next = Math.min(next, due.next);
    if (due.baseline !== undefined) plan.baselines.push({ task, slot: due.baseline });
    const latest = Math.max(...due.slots.map((s) => s.slot), ...due.skipped.map((s) => s.slot));
    if (!Number.isFinite(latest)) return;
    const first = Math.min(...due.slots.map((s) => s.slot), ...due.skipped.map((s) => s.firstSlot));
    if (off) {
      plan.skips.push({ task, slot: latest, entry: skipEntryOf(latest, now, off, due, first) });
      return;
    }
    if (due.slots.length === 0) {
      const k = due.skipped[0]!;
      plan.skips.push({ task, slot: latest, entry: { ...skipEntryOf(latest, now, k.reason === "missed" ? undefined : k.reason, due, first), catchup: true } });
      return;
    }
    plan.fires.push({ task, slots, older: olderEntries(due, now) });
  });
  plan.nextWake = Number.isFinite(next) ? next : undefined;
  return plan;
}
