/**
 * The per-schedule controls as the tick uses them, in one import: exclusions (`except`), the
 * pause records it reads, deadlines and the installed schedule set. The logic lives in the
 * modules re-exported here; scheduler.ts keeps only the call sites.
 */
import type { ScheduledTask } from "../hooks/types.js";
import type { Keys } from "../redis/keys.js";
import { exclusionOf } from "../schedule/exclusions.js";
import type { LedgerEntry } from "./ledger.js";
import type { DueSlot } from "../schedule/due.js";
import { scheduleKeys } from "./schedule-keys.js";

export { checkDeadlines, type DeadlineMiss } from "./deadlines.js";
export { installSchedules } from "./schedule-install.js";

/** The ledger entry of a slot that `except` excludes, or undefined when the slot runs. */
export function excludedEntry(task: ScheduledTask, s: DueSlot, zone: string, at: number): LedgerEntry | undefined {
  const rule = exclusionOf(task.except, s.slot, zone);
  return rule ? { slot: s.slot, at, outcome: "skipped", reason: "excluded", detail: rule, catchup: s.catchup } : undefined;
}

/** The hash of schedules paused one by one (src/scheduler/schedule-pause.ts). */
export const pauseKey = (keys: Keys): string => scheduleKeys(keys).pause();
