/**
 * The per-process counters that are not job outcomes: worker restarts (the supervisor) and
 * schedule fires (the scheduler's ledger writes). Kept in this process, read by /metrics;
 * several daemons' values add up.
 */
import { METRICS_ON } from "./metrics-switch.js";

/**
 * What a fire counts from a fire-ledger entry (src/scheduler/ledger.ts LedgerEntry has these
 * fields): declared here so telemetry, below the scheduler, does not import it.
 */
export interface FireEntry {
  outcome: "enqueued" | "skipped" | "missed";
  reason?: string;
  catchup: boolean;
  count?: number;
  latenessMs?: number;
}

export const FIRE_OUTCOMES = ["enqueued", "skipped_overlap", "skipped_paused", "missed", "caught_up"] as const;
export type FireOutcome = (typeof FIRE_OUTCOMES)[number];

const SEP = "\u0000";
/** "<group>\0<reason>" -> restarts */
export const workerRestarts = new Map<string, number>();
/** "<task>\0<outcome>" -> slots */
export const scheduleFires = new Map<string, number>();
/** Lateness (s) of each enqueued fire since the last read, per task: drained by the histogram. */
export const pendingLateness: Array<[string, number]> = [];

export function recordWorkerRestart(group: string, reason: string): void {
  if (!METRICS_ON) return;
  const k = group + SEP + reason;
  workerRestarts.set(k, (workerRestarts.get(k) ?? 0) + 1);
}

/** The outcome label of a fire-ledger entry; undefined: not this daemon's fire (another took the slot). */
export function fireOutcome(entry: Pick<FireEntry, "outcome" | "reason" | "catchup">): FireOutcome | undefined {
  if (entry.outcome === "enqueued") return entry.catchup ? "caught_up" : "enqueued";
  if (entry.outcome === "missed") return "missed";
  switch (entry.reason) {
    case "overlap":
      return "skipped_overlap";
    case "paused":
    case "disabled":
      return "skipped_paused";
    case "outside-catchup-window":
      return "missed";
    default:
      return undefined;
  }
}

/** Called for every ledger entry this process writes (src/scheduler/ledger.ts). */
export function recordFire(task: string, entry: FireEntry): void {
  if (!METRICS_ON) return;
  const outcome = fireOutcome(entry);
  if (!outcome) return;
  const k = task + SEP + outcome;
  scheduleFires.set(k, (scheduleFires.get(k) ?? 0) + (entry.count ?? 1));
  if (entry.outcome === "enqueued" && entry.latenessMs !== undefined) pendingLateness.push([task, Math.max(0, entry.latenessMs) / 1000]);
}

export function splitKey(k: string): [string, string] {
  const i = k.indexOf(SEP);
  return [k.slice(0, i), k.slice(i + 1)];
}
