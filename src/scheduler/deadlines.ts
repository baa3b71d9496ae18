/**
 * Entry option `deadline` (a dead-man's switch): a slot whose run has not finished by slot +
 * deadline (never enqueued because every daemon was down, stuck in a queue, still running, or
 * failed) is a miss: one schedule.deadline_missed event, and the scheduler's onDeadlineMissed
 * (failure handlers, notifiers) is called once for that slot; doctor reports the schedule until a
 * later run succeeds. The leader checks each tick; schedule_deadline.lua makes each slot settle
 * once across daemons.
 *
 * A slot counts as met when the last successful run (schedule_outcome_lib.lua) was for that slot
 * or a later one and finished by the slot's deadline: with catchup "latest" one late run covers
 * the slots it collapsed, if it was in time for them. The open miss doctor reports is closed by
 * the run of a later slot that finishes within its own deadline.
 */
import type { ScheduledTask } from "../hooks/types.js";
import { EVENTS_MAXLEN, type SchedulerEvent } from "../log/events.js";
import type { QueueEnv } from "../queue/context.js";
import { scriptResult } from "../redis/script-results.js";
import { runScript } from "../redis/scripts.js";
import { describeError } from "../base/errors.js";
import { nextFire, prevFire } from "../schedule/next-fire.js";
import { scheduleKeys } from "../redis/schedule-keys.js";
import type { Logger } from "../log/logger.js";

/** Slots settled per task per tick (a long outage is worked off over a few ticks). */
const SLOTS_PER_TICK = 100;

export interface DeadlineMiss {
  task: ScheduledTask;
  slot: number;
  /** slot + deadline: when it should have finished by (ms). */
  dueBy: number;
  /** The last successful run, if any. */
  lastSuccessSlot?: number;
}

export type DeadlineLogger = Pick<Logger, "warn">;

/**
 * Settle every slot of `tasks` whose deadline has passed; returns the next instant a deadline
 * falls due (for the tick's wake-up), if any.
 */
export async function checkDeadlines(
  env: QueueEnv,
  tasks: ScheduledTask[],
  zone: string,
  now: number,
  notify?: (miss: DeadlineMiss) => void | Promise<void>,
  log?: DeadlineLogger,
): Promise<number | undefined> {
  const watched = tasks.filter((t) => t.deadlineMs !== undefined);
  if (watched.length === 0) return undefined;
  const sk = scheduleKeys(env.keys);
  const read = env.redis.pipeline();
  for (const t of watched) read.hmget(sk.stats(t.id), "deadlineCheckedUpTo", "lastSuccessSlot", "lastSuccessAt");
  const rows = (await read.exec()) ?? [];
  let next = Infinity;
  for (const [i, task] of watched.entries()) {
    const [err, row] = rows[i] ?? [];
    if (err) throw err;
    const [checkedRaw, successSlotRaw, successAtRaw] = (row ?? []) as Array<string | null>;
    const deadline = task.deadlineMs!;
    const cutoff = now - deadline;
    let checked = checkedRaw == null ? undefined : Number(checkedRaw);
    if (checked === undefined) {
      // first sight of this deadline: slots before it are history, not misses
      checked = prevFire(task.expression, zone, now) ?? now;
      await env.redis.hsetnx(sk.stats(task.id), "deadlineCheckedUpTo", String(checked));
    }
    const successSlot = successSlotRaw == null ? undefined : Number(successSlotRaw);
    const successAt = successAtRaw == null ? undefined : Number(successAtRaw);
    let slot = nextFire(task.expression, zone, checked);
    for (let n = 0; slot !== undefined && slot <= cutoff && n < SLOTS_PER_TICK; n++) {
      const dueBy = slot + deadline;
      const met = successSlot !== undefined && successAt !== undefined && successSlot >= slot && successAt <= dueBy;
      const recorded = await settle(env, task, slot, !met, now, dueBy);
      if (recorded && notify) {
        try {
          await notify({ task, slot, dueBy, ...(successSlot !== undefined ? { lastSuccessSlot: successSlot } : {}) });
        } catch (e) {
          log?.warn(`scheduler: deadline notification for ${task.id} failed: ${describeError(e)}`);
        }
      }
      slot = nextFire(task.expression, zone, slot);
    }
    if (slot !== undefined) next = Math.min(next, Math.max(now, slot + deadline));
  }
  return Number.isFinite(next) ? next : undefined;
}

async function settle(env: QueueEnv, task: ScheduledTask, slot: number, missed: boolean, now: number, dueBy: number): Promise<boolean> {
  const sk = scheduleKeys(env.keys);
  const event: SchedulerEvent = {
    type: "schedule.deadline_missed",
    level: "error",
    at: now,
    msg: `${task.id}: the run of slot ${new Date(slot).toISOString()} had not finished by ${new Date(dueBy).toISOString()} (deadline ${Math.round(task.deadlineMs! / 1000)} s)`,
    task: task.id,
    data: { slot, dueBy },
  };
  const r = await runScript(env.redis, "schedule_deadline", [sk.stats(task.id), sk.deadline(), env.keys.events()], [
    task.id,
    slot,
    missed ? "1" : "0",
    now,
    JSON.stringify(event),
    EVENTS_MAXLEN,
    task.deadlineMs!,
  ]);
  return scriptResult.schedule_deadline(r);
}
