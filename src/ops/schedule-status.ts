/**
 * The per-schedule part of `status`: each schedule the installation runs (the hooks file's when
 * given, else the set its daemons installed) with its pause, last outcome, open missed deadline
 * and counters.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.js";
import { readCounters, type ScheduleCounters } from "../scheduler/counters.js";
import { readOutcomes, type ScheduleOutcome } from "../scheduler/outcome.js";
import { readInstalled } from "../scheduler/schedule-install.js";
import { readPauses, type PauseRecord } from "../scheduler/schedule-pause.js";
import { scheduleKeys } from "../redis/schedule-keys.js";

export interface ScheduleStatus {
  task: string;
  paused?: PauseRecord;
  outcome?: ScheduleOutcome;
  deadlineMissed?: { slot: number; at: number };
  counters: ScheduleCounters;
}

export async function readScheduleStatus(redis: Redis, keys: Keys, taskIds?: string[]): Promise<ScheduleStatus[]> {
  // Without a hooks file: what the daemons installed, plus any schedule paused or overdue here.
  // the installed set also tells each schedule's queue: on the per-queue layout its counters
  // are partly on the queue's tag (readCounters)
  const installed = !taskIds || keys.jobTags === "queue" ? await readInstalled(redis, keys) : [];
  const queueOf = new Map(installed.map((s) => [s.id, s.queue]));
  const ids = taskIds ?? [...new Set([
    ...installed.map((s) => s.id),
    ...(await redis.hkeys(scheduleKeys(keys).pause())),
    ...(await redis.hkeys(scheduleKeys(keys).deadline())),
  ])];
  if (ids.length === 0) return [];
  const [pauses, outcomes, counters, deadlines] = await Promise.all([
    readPauses(redis, keys, ids),
    readOutcomes(redis, keys, ids),
    readCounters(redis, keys, ids, (id) => queueOf.get(id)),
    redis.hmget(scheduleKeys(keys).deadline(), ...ids),
  ]);
  return ids.map((task, i) => ({
    task,
    ...(pauses[i] ? { paused: pauses[i] } : {}),
    ...(outcomes[i] ? { outcome: outcomes[i] } : {}),
    ...(deadlines[i] ? { deadlineMissed: JSON.parse(deadlines[i]!) as { slot: number; at: number } } : {}),
    counters: counters[i]!,
  }));
}
