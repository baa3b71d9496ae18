/**
 * The one row builder of the schedule listings, GET /api/schedules (src/http/api/schedules.ts)
 * and `scheduler list --json` (src/cli/commands/list.ts): what both read per task in one round
 * trip (its last slot and its newest ledger entries) and the row's shape: the task's identity
 * first, then the surface's own settings, the last slot, then the surface's own state. Each
 * surface keeps its JSON contract by what it passes; the key order is the contract's.
 */
import type { Redis } from "ioredis";
import type { ScheduledTask } from "../hooks/types.js";
import type { Keys } from "../redis/keys.js";
import { readLedgers, type LedgerEntry } from "../scheduler/ledger.js";
import { readLastSlots } from "../scheduler/guard-records.js";

export interface ScheduleReading {
  task: ScheduledTask;
  /** The slot (ms) its last fire recorded; absent: never fired. */
  lastSlot?: number;
  /** Newest first, at most the limit asked for. */
  ledger: LedgerEntry[];
}

/** Each task's last slot and its `ledgerLimit` newest ledger entries, in one pipeline. */
export async function readScheduleReadings(redis: Redis, keys: Keys, tasks: readonly ScheduledTask[], ledgerLimit: number): Promise<ScheduleReading[]> {
  if (tasks.length === 0) return [];
  const ids = tasks.map((t) => t.id);
  const [lastSlots, ledgers] = await Promise.all([readLastSlots(redis, keys, tasks), readLedgers(redis, keys, ids, ledgerLimit)]);
  return tasks.map((task, i) => {
    const raw = lastSlots[i];
    return { task, ...(raw ? { lastSlot: Number(raw) } : {}), ledger: ledgers[i]! };
  });
}

/** One task's row: identity, then `settings`, the last slot when there is one, then `state`. */
export function scheduleRow<S extends object, T extends object>(r: ScheduleReading, settings: S, state: T) {
  const t = r.task;
  return {
    id: t.id,
    event: t.event,
    expression: t.expression,
    method: t.method,
    queue: t.queue,
    ...settings,
    ...(r.lastSlot !== undefined ? { lastSlot: r.lastSlot } : {}),
    ...state,
  };
}
