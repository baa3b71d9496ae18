/**
 * Where a schedule runs otherwise than the hooks file says, from what Redis holds: a pause
 * written by a command, the console or pauseOnFailure (the hooks file declares none), and what
 * the running daemons were last told at start or reload (schedule-install.ts) when it differs
 * from this hooks file: an edited file not yet reloaded, or daemons on another version.
 * The console's Schedules page marks each; `scheduler plan` tells the same story for a file.
 */
import type { Redis } from "ioredis";
import type { ScheduledTask } from "../hooks/types.js";
import type { Keys } from "../redis/keys.js";
import { readInstalled, type InstalledSchedule } from "../scheduler/schedule-install.js";
import { readPauses, type PauseRecord } from "../scheduler/schedule-pause.js";

export type ScheduleOverride =
  /** Paused in Redis: by hand (`scheduler pause TASK`, the console) or by pauseOnFailure. */
  | { kind: "paused"; cause: PauseRecord["cause"]; note: string; by: string; since: number; jobId?: string }
  /** The running daemons were installed with another value of `field` than the hooks file has. */
  | { kind: "installed"; field: InstalledField; hooks: string; running: string; since: number }
  /** The hooks file has the schedule, the running daemons were not given it. */
  | { kind: "not-installed"; since: number };

export type InstalledField = "expression" | "zone" | "queue" | "method";
const FIELDS: readonly InstalledField[] = ["expression", "zone", "queue", "method"];

/** What differs for one schedule (pure: the reads are done by readScheduleOverrides). */
export function overridesOf(
  task: Pick<ScheduledTask, "id" | "expression" | "queue" | "method">,
  zone: string,
  pause: PauseRecord | undefined,
  installed: ReadonlyMap<string, InstalledSchedule> | undefined,
): ScheduleOverride[] {
  const out: ScheduleOverride[] = [];
  if (pause) out.push({ kind: "paused", cause: pause.cause, note: pause.note, by: pause.by, since: pause.at, ...(pause.jobId ? { jobId: pause.jobId } : {}) });
  // No install record at all: no daemon has run this installation yet, nothing to compare with.
  if (!installed || installed.size === 0) return out;
  const running = installed.get(task.id);
  if (!running) {
    out.push({ kind: "not-installed", since: Math.max(...[...installed.values()].map((s) => s.at)) });
    return out;
  }
  const hooks: Record<InstalledField, string> = { expression: task.expression, zone, queue: task.queue, method: task.method };
  for (const field of FIELDS) {
    if (running[field] !== hooks[field]) out.push({ kind: "installed", field, hooks: hooks[field], running: running[field], since: running.at });
  }
  return out;
}

/** The overrides of each task, in order (two reads, whatever the number of tasks). */
export async function readScheduleOverrides(redis: Redis, keys: Keys, tasks: readonly ScheduledTask[], zone: string): Promise<ScheduleOverride[][]> {
  if (tasks.length === 0) return [];
  const [pauses, installed] = await Promise.all([readPauses(redis, keys, tasks.map((t) => t.id)), readInstalled(redis, keys)]);
  const byId = new Map(installed.map((s) => [s.id, s]));
  return tasks.map((t, i) => overridesOf(t, zone, pauses[i], byId));
}
