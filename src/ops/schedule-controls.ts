/**
 * Per-schedule controls shared by the CLI and any API: pause and resume one schedule with a
 * note, and the overrides in force (schedules paused in Redis while active in the hooks file).
 */
import type { Redis } from "ioredis";
import type { Clock } from "../base/clock.js";
import type { ScheduledTask } from "../hooks/types.js";
import type { Keys } from "../redis/keys.js";
import { clearPause, readAllPauses, writePause, type PauseRecord } from "../scheduler/schedule-pause.js";
import { resolveSchedule } from "../scheduler/schedule-target.js";

export interface ControlContext {
  redis: Redis;
  keys: Keys;
  clock: Clock;
  /** The schedules of the hooks file (TASK is resolved against them). */
  tasks: ScheduledTask[];
}

export interface PauseResult {
  task: string;
  /** The record now in force. */
  pause: PauseRecord;
  /** The record it replaced (the schedule was already paused). */
  before?: PauseRecord;
}

export async function pauseSchedule(ctx: ControlContext, target: string, o: { note?: string; by: string }): Promise<PauseResult> {
  const task = resolveSchedule(ctx.tasks, target);
  const pause: PauseRecord = { note: o.note ?? "", by: o.by, at: ctx.clock(), cause: "manual" };
  const before = await writePause(ctx.redis, ctx.keys, task.id, pause);
  return { task: task.id, pause, ...(before ? { before } : {}) };
}

export interface ResumeResult {
  task: string;
  /** The pause that was lifted; undefined when the schedule was not paused. */
  lifted?: PauseRecord;
}

export async function resumeSchedule(ctx: ControlContext, target: string, o: { by: string }): Promise<ResumeResult> {
  const task = resolveSchedule(ctx.tasks, target);
  const lifted = await clearPause(ctx.redis, ctx.keys, task.id, o.by, ctx.clock());
  return { task: task.id, ...(lifted ? { lifted } : {}) };
}

export interface Override {
  task: string;
  kind: "paused";
  pause: PauseRecord;
  /** False when the task is no longer in the hooks file (a leftover to resume or ignore). */
  inHooks: boolean;
}

/** Every override of the hooks file in force in Redis. */
export async function listOverrides(ctx: Omit<ControlContext, "clock">): Promise<Override[]> {
  const ids = new Set(ctx.tasks.map((t) => t.id));
  const pauses = await readAllPauses(ctx.redis, ctx.keys);
  return [...pauses].map(([task, pause]) => ({ task, kind: "paused" as const, pause, inHooks: ids.has(task) }));
}
