/**
 * What `why` shows above a task's ledger: its pause (and whether that is drift from the hooks
 * file), how its last run ended, its counters and its next fires with DST adjustments named.
 */
import type { Redis } from "ioredis";
import type { ScheduledTask } from "../../hooks/types.js";
import type { Keys } from "../../redis/keys.js";
import { describeCounters, readCounters, type ScheduleCounters } from "../../scheduler/counters.js";
import { describeOutcome, readOutcomes, type ScheduleOutcome } from "../../scheduler/outcome.js";
import { fireLine, previewFires, type PreviewedFire } from "../../schedule/preview.js";
import { readPauses, type PauseRecord } from "../../scheduler/schedule-pause.js";
import { scheduleKeys } from "../../redis/schedule-keys.js";
import { formatSlot } from "../format/time.js";

export interface ScheduleDetails {
  paused?: PauseRecord;
  outcome?: ScheduleOutcome;
  counters: ScheduleCounters;
  /** An open missed deadline (doctor reports it until a later run succeeds). */
  deadlineMissed?: { slot: number; at: number };
  /** Only with a hooks file (the expression and zone come from it). */
  next?: PreviewedFire[];
}

export async function scheduleDetails(redis: Redis, keys: Keys, ids: string[], zone: string, count: number, tasks?: ScheduledTask[]): Promise<ScheduleDetails[]> {
  const [pauses, outcomes, counters, deadlines] = await Promise.all([
    readPauses(redis, keys, ids),
    readOutcomes(redis, keys, ids),
    readCounters(redis, keys, ids, (id) => tasks?.find((t) => t.id === id)?.queue),
    ids.length ? redis.hmget(scheduleKeys(keys).deadline(), ...ids) : Promise.resolve([] as Array<string | null>),
  ]);
  const now = Date.now();
  return ids.map((id, i) => {
    const task = tasks?.find((t) => t.id === id);
    const open = deadlines[i] ? (JSON.parse(deadlines[i]!) as { slot: number; at: number }) : undefined;
    return {
      ...(pauses[i] ? { paused: pauses[i] } : {}),
      ...(outcomes[i] ? { outcome: outcomes[i] } : {}),
      counters: counters[i]!,
      ...(open ? { deadlineMissed: open } : {}),
      ...(task ? { next: previewFires(task.expression, zone, now, count) } : {}),
    };
  });
}

export function scheduleDetailLines(d: ScheduleDetails, zone: string): string[] {
  const lines: string[] = [];
  if (d.paused) {
    const cause = d.paused.cause === "failures" ? " (pauseOnFailure)" : "";
    lines.push(`PAUSED since ${formatSlot(d.paused.at, zone)} by ${d.paused.by}${cause}${d.paused.note ? `: ${d.paused.note}` : ""} - drift: active in the hooks file; \`scheduler resume\` it`);
  }
  if (d.outcome) {
    const o = d.outcome;
    lines.push(`last run: ${describeOutcome(o)} (slot ${formatSlot(o.slot, zone)}, job ${o.jobId}, ended ${formatSlot(o.finishedAt, zone)})`);
  }
  if (d.deadlineMissed) lines.push(`DEADLINE MISSED for slot ${formatSlot(d.deadlineMissed.slot, zone)} (open until a later run succeeds)`);
  lines.push(`counters: ${describeCounters(d.counters)}`);
  if (d.next) {
    lines.push(d.next.length ? "next:" : "next: never fires again");
    for (const f of d.next) lines.push(`  ${fireLine(f)}`);
  }
  lines.push("ledger (newest first):");
  return lines;
}
