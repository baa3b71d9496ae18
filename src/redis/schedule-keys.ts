/**
 * Key names of the per-schedule controls (pause, last outcome, counters, limits, deadlines,
 * backfilled slots, the installed schedule set), built with keys.key so they carry the
 * installation's hash tag and every script may touch them with the job keys. The Lua side
 * (schedule_outcome_lib.lua, schedule_*.lua) builds the same names from KEY_ROOT.
 */
import type { Keys } from "./keys.js";

export interface ScheduleKeys {
  /** Hash task -> JSON PauseRecord: schedules paused by hand or by pauseOnFailure. */
  pause(): string;
  /** Hash task -> JSON ScheduleOutcome: how the last scheduled run ended. */
  outcome(): string;
  /** Hash task -> pauseOnFailure N, written by the scheduler from the hooks file. */
  limits(): string;
  /** Hash task -> JSON { slot, at } of the oldest missed deadline not yet followed by a success. */
  deadline(): string;
  /**
   * Hash of one schedule's counters (see counters.ts). On `tag` (its queue's jobTag) the ones
   * the enqueue guard and the job scripts write; the installation's (the default) the
   * scheduler's own (skips, ledger counts, deadlines): one key on the installation layout.
   */
  stats(task: string, tag?: string): string;
  /**
   * Sorted set of the slots enqueued (score = slot; backfill checks it: never enqueued twice),
   * on the tag where the task's jobs are enqueued (`tag`; the installation's by default).
   */
  runs(task: string, tag?: string): string;
  /**
   * Sorted set of the outcome records (forward records of a queue's own tag) applied to `task`,
   * member "<job id>\t<record at>", score = at: the proof each counts once
   * (schedule_outcome_apply.lua). On the installation's tag; never written on its layout.
   */
  outcomeMarks(task: string): string;
  /** Hash task -> JSON InstalledSchedule: what the running daemons were last told (plan). */
  installed(): string;
}

export function scheduleKeys(keys: Keys): ScheduleKeys {
  return {
    pause: () => keys.key("schedule-pause"),
    outcome: () => keys.key("schedule-outcome"),
    limits: () => keys.key("schedule-limits"),
    deadline: () => keys.key("schedule-deadline"),
    stats: (task, tag) => `${tag ?? keys.root}:schedule-stats:${task}`,
    runs: (task, tag) => `${tag ?? keys.root}:schedule-runs:${task}`,
    outcomeMarks: (task) => keys.key("schedule-outcome-applied", task),
    installed: () => keys.key("schedule-installed"),
  };
}
