/**
 * What the running daemons were told: each schedule's expression, zone, queue and method (for
 * `scheduler plan`, which compares a hooks file with it) and each pauseOnFailure limit (read by
 * schedule_outcome_lib.lua when a scheduled run fails). Rewritten as a whole at start and reload,
 * in one MULTI.
 */
import type { Redis } from "ioredis";
import type { ScheduledTask } from "../hooks/types.js";
import type { Keys } from "../redis/keys.js";
import { scheduleKeys } from "../redis/schedule-keys.js";

export interface InstalledSchedule {
  id: string;
  method: string;
  event: string;
  expression: string;
  zone: string;
  queue: string;
  /** When this daemon installed it (ms). */
  at: number;
}

export async function installSchedules(redis: Redis, keys: Keys, tasks: ScheduledTask[], zone: string, at: number): Promise<void> {
  const sk = scheduleKeys(keys);
  const multi = redis.multi().del(sk.limits(), sk.installed());
  const limits = tasks.filter((t) => t.pauseOnFailure !== undefined).flatMap((t) => [t.id, String(t.pauseOnFailure)]);
  if (limits.length) multi.hset(sk.limits(), limits);
  if (tasks.length) {
    // One array, not spread arguments: 100 000 tasks would overflow the call stack.
    const fields: string[] = [];
    for (const t of tasks) {
      const rec: InstalledSchedule = { id: t.id, method: t.method, event: t.event, expression: t.expression, zone, queue: t.queue, at };
      fields.push(t.id, JSON.stringify(rec));
    }
    multi.hset(sk.installed(), fields);
  }
  await multi.exec();
}

export async function readInstalled(redis: Redis, keys: Keys): Promise<InstalledSchedule[]> {
  const all = await redis.hgetall(scheduleKeys(keys).installed());
  const out: InstalledSchedule[] = [];
  for (const raw of Object.values(all)) {
    try {
      out.push(JSON.parse(raw) as InstalledSchedule);
    } catch {
      /* not ours */
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
