/**
 * The last outcome of each scheduled task, written by the scripts that finish or fail its job
 * (schedule_outcome_lib.lua), so `list` and `why` tell how the last run ended long after the
 * job itself expired (Frappe's Scheduled Job Log keeps the same).
 */
import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.js";
import { scheduleKeys } from "../redis/schedule-keys.js";

export interface ScheduleOutcome {
  status: "finished" | "failed" | "timeout" | "abandoned";
  jobId: string;
  /** The slot (ms) the job was fired for. */
  slot: number;
  startedAt?: number;
  finishedAt: number;
  durationMs?: number;
  /** First line of the error, for a run that did not finish. */
  error?: string;
}

function parse(raw: string | null | undefined): ScheduleOutcome | undefined {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as ScheduleOutcome;
  } catch {
    return undefined;
  }
}

/** Last outcomes of the given tasks, in order (undefined: no run has ended yet). */
export async function readOutcomes(redis: Redis, keys: Keys, tasks: string[]): Promise<Array<ScheduleOutcome | undefined>> {
  if (tasks.length === 0) return [];
  const raw = await redis.hmget(scheduleKeys(keys).outcome(), ...tasks);
  return raw.map(parse);
}

/** "finished in 1.2 s" / "failed after 300 ms: Error: boom". */
export function describeOutcome(o: ScheduleOutcome): string {
  const d = o.durationMs === undefined ? "" : o.durationMs < 1000 ? `${o.durationMs} ms` : `${(o.durationMs / 1000).toFixed(1)} s`;
  if (o.status === "finished") return d ? `finished in ${d}` : "finished";
  return `${o.status}${d ? ` after ${d}` : ""}${o.error ? `: ${o.error}` : ""}`;
}
