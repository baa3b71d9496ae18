/**
 * Pausing one schedule (not the whole scheduler): a record in Redis with who, when and why, so
 * it survives restarts and deploys, and every daemon's tick sees it. Paused slots are recorded as
 * skipped (paused) in the ledger and are not caught up on resume, like the scheduler's switch.
 * A record is written by hand (`scheduler pause TASK --note`) or by pauseOnFailure
 * (schedule_outcome_lib.lua, cause "failures").
 */
import type { Redis } from "ioredis";
import { pipeEvent } from "../log/events.js";
import type { Keys } from "../redis/keys.js";
import { scheduleKeys } from "../redis/schedule-keys.js";

export interface PauseRecord {
  note: string;
  by: string;
  /** When it was paused (ms). */
  at: number;
  /** "manual": by a command; "failures": by pauseOnFailure. */
  cause: "manual" | "failures";
  /** pauseOnFailure: the last failed job. */
  jobId?: string;
}

function parse(raw: string | null | undefined): PauseRecord | undefined {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as PauseRecord;
  } catch {
    return undefined;
  }
}

/** The pause records of the given tasks, in order. */
export async function readPauses(redis: Redis, keys: Keys, tasks: string[]): Promise<Array<PauseRecord | undefined>> {
  if (tasks.length === 0) return [];
  return (await redis.hmget(scheduleKeys(keys).pause(), ...tasks)).map(parse);
}

/** Every pause record in Redis, by task id (also for tasks no longer in the hooks file). */
export async function readAllPauses(redis: Redis, keys: Keys): Promise<Map<string, PauseRecord>> {
  const all = await redis.hgetall(scheduleKeys(keys).pause());
  const out = new Map<string, PauseRecord>();
  for (const [task, raw] of Object.entries(all)) {
    const rec = parse(raw);
    if (rec) out.set(task, rec);
  }
  return out;
}

/** Pause `task` (replacing an earlier note); returns the record before, if it was paused. */
export async function writePause(redis: Redis, keys: Keys, task: string, rec: PauseRecord): Promise<PauseRecord | undefined> {
  const sk = scheduleKeys(keys);
  const multi = redis.multi().hget(sk.pause(), task).hset(sk.pause(), task, JSON.stringify(rec));
  pipeEvent(multi, keys, { type: "schedule.paused", level: "info", at: rec.at, msg: `${task} paused by ${rec.by}${rec.note ? `: ${rec.note}` : ""}`, task, data: { by: rec.by, note: rec.note } });
  const res = await multi.exec();
  return parse(res?.[0]?.[1] as string | null);
}

/**
 * Resume `task`: drop its pause record and its failure streak (a schedule paused by
 * pauseOnFailure starts counting again). Returns the record removed, if it was paused.
 */
export async function clearPause(redis: Redis, keys: Keys, task: string, by: string, at: number): Promise<PauseRecord | undefined> {
  const sk = scheduleKeys(keys);
  const multi = redis.multi().hget(sk.pause(), task).hdel(sk.pause(), task).hset(sk.stats(task), "failStreak", "0");
  pipeEvent(multi, keys, { type: "schedule.resumed", level: "info", at, msg: `${task} resumed by ${by}`, task, data: { by } });
  const res = await multi.exec();
  return parse(res?.[0]?.[1] as string | null);
}
