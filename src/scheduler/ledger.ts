/**
 * The fire ledger: per task, a capped list (newest first) of what happened to its slots, so
 * `scheduler why <task>` can answer "did it run, and if not, why". Repeated skips for the same
 * reason merge into one entry with a count (scheduler_ledger.lua), never one line per tick.
 */
import type { ChainableCommander, Redis } from "ioredis";
import type { Keys } from "../redis/keys.js";
import { scriptResult, type LedgerWrite, type SkipWrite } from "../redis/script-results.js";
import { pipeScript, runScript } from "../redis/scripts.js";
import { EVENTS_MAXLEN, type SchedulerEvent } from "../log/events.js";
import { recordFire } from "../telemetry/process-counters.js";
import { scheduleKeys } from "../redis/schedule-keys.js";

export const LEDGER_MAX = 200;

export type LedgerSkipReason = "overlap" | "paused" | "disabled" | "outside-catchup-window" | "slot-taken" | "excluded";

export interface LedgerEntry {
  /** The slot (ms); for a merged entry the latest slot it covers. */
  slot: number;
  /** When it was recorded (ms). */
  at: number;
  outcome: "enqueued" | "skipped" | "missed";
  reason?: LedgerSkipReason;
  /** enqueued: the job. */
  jobId?: string;
  /** skipped(overlap): the previous job still queued or running. */
  runningJobId?: string;
  catchup: boolean;
  /** Slots this entry stands for (merged skips, collapsed misses); 1 when absent. */
  count?: number;
  /** The count stopped at a cap: at least that many. */
  capped?: boolean;
  /** Merged or collapsed entries: the earliest slot covered. */
  firstSlot?: number;
  /** Merged entries: when the last merge happened. */
  lastAt?: number;
  /** enqueued: ms between the slot and the enqueue. */
  latenessMs?: number;
  /** skipped(excluded): the `except` rule that matched; skipped(paused): the pause note. */
  detail?: string;
  /** enqueued by `scheduler backfill`. */
  backfill?: boolean;
}

export const LEDGER_SCRIPTS = ["scheduler_ledger", "scheduler_skip"];
/** A skip's two calls on the per-queue layout (src/scheduler/skips.ts): preloaded only there. */
export const TAG_SKIP_SCRIPTS = ["scheduler_skip_tag", "scheduler_skip_entry"];

/** Add one entry (merged into the newest when it repeats its skip reason). */
export async function recordEntry(redis: Redis, keys: Keys, task: string, entry: LedgerEntry): Promise<LedgerWrite> {
  recordFire(task, entry); // hs_schedule_fires_total (src/telemetry/process-counters.ts)
  return scriptResult.scheduler_ledger(await runScript(redis, "scheduler_ledger", [keys.ledger(task), scheduleKeys(keys).stats(task)], [JSON.stringify(entry), LEDGER_MAX]));
}

/** Same, on a pipeline (preloadScripts(LEDGER_SCRIPTS) first). */
export function pipeEntry(pipe: ChainableCommander, keys: Keys, task: string, entry: LedgerEntry): ChainableCommander {
  recordFire(task, entry); // hs_schedule_fires_total (src/telemetry/process-counters.ts)
  return pipeScript(pipe, "scheduler_ledger", [keys.ledger(task), scheduleKeys(keys).stats(task)], [JSON.stringify(entry), LEDGER_MAX]);
}

/**
 * Mark slots up to `slot` handled without an enqueue, with their ledger entry (one script).
 * With `fence` (the leader lease number), a stale lease writes nothing (the script answers -1).
 */
export function pipeSkip(pipe: ChainableCommander, keys: Keys, task: string, slot: number, entry: LedgerEntry, fence?: number): ChainableCommander {
  recordFire(task, entry); // hs_schedule_fires_total (src/telemetry/process-counters.ts)
  return pipeScript(pipe, "scheduler_skip", skipKeys(keys, task), skipArgs(task, slot, entry, fence));
}

export async function recordSkip(redis: Redis, keys: Keys, task: string, slot: number, entry: LedgerEntry, fence?: number): Promise<SkipWrite> {
  recordFire(task, entry); // hs_schedule_fires_total (src/telemetry/process-counters.ts)
  return scriptResult.scheduler_skip(await runScript(redis, "scheduler_skip", skipKeys(keys, task), skipArgs(task, slot, entry, fence)));
}

/**
 * The per-queue layout's skip, its first call (src/scheduler/skips.ts): the slot record on the
 * task's queue's tag `tag`, fenced against that tag's number (scheduler_skip_tag.lua).
 */
export function pipeSkipOnTag(pipe: ChainableCommander, keys: Keys, tag: string, task: string, slot: number, entry: LedgerEntry, fence?: number): ChainableCommander {
  recordFire(task, entry); // hs_schedule_fires_total (src/telemetry/process-counters.ts)
  return pipeScript(pipe, "scheduler_skip_tag", [keys.lastSlots(tag), keys.schedulerFence(tag)], [task, slot, fence ?? ""]);
}

/** Its second call, once the first recorded the slot: the entry, counters and event on the installation's tag. */
export function pipeSkipEntry(pipe: ChainableCommander, keys: Keys, task: string, slot: number, entry: LedgerEntry): ChainableCommander {
  return pipeScript(pipe, "scheduler_skip_entry", [keys.ledger(task), keys.events(), scheduleKeys(keys).stats(task)], [JSON.stringify(entry), LEDGER_MAX, skipEvent(task, slot, entry), EVENTS_MAXLEN]);
}

const skipKeys = (keys: Keys, task: string) => [keys.lastSlots(), keys.ledger(task), keys.events(), keys.schedulerFence(), scheduleKeys(keys).stats(task)];

function skipArgs(task: string, slot: number, entry: LedgerEntry, fence?: number): Array<string | number> {
  return [task, slot, JSON.stringify(entry), LEDGER_MAX, skipEvent(task, slot, entry), EVENTS_MAXLEN, fence ?? ""];
}

/** The event written with the first skip of a run (see scheduler_ledger_lib.lua ledger_skip), as JSON. */
function skipEvent(task: string, slot: number, entry: LedgerEntry): string {
  const event: SchedulerEvent = {
    type: "job.skipped",
    level: "info",
    at: entry.at,
    msg: `skipped slot ${new Date(slot).toISOString()} of ${task}: ${entry.reason ?? entry.outcome}${entry.count && entry.count > 1 ? ` (${entry.count} slots)` : ""}`,
    task,
    data: { slot, reason: entry.reason ?? entry.outcome, ...(entry.count ? { count: entry.count } : {}) },
  };
  return JSON.stringify(event);
}

/** The newest `limit` entries of a task, newest first. Unreadable lines are left out. */
export async function readLedger(redis: Redis, keys: Keys, task: string, limit = LEDGER_MAX): Promise<LedgerEntry[]> {
  return parseLedger(await redis.lrange(keys.ledger(task), 0, limit - 1));
}

/** The ledgers of many tasks (each its `limit` newest entries), in one pipeline. */
export async function readLedgers(redis: Redis, keys: Keys, tasks: readonly string[], limit = LEDGER_MAX): Promise<LedgerEntry[][]> {
  if (tasks.length === 0) return [];
  const pipe = redis.pipeline();
  for (const task of tasks) pipe.lrange(keys.ledger(task), 0, limit - 1);
  const replies = (await pipe.exec()) ?? [];
  return tasks.map((task, i) => {
    const [err, lines] = replies[i] ?? [new Error("no reply")];
    if (err) throw new Error(`reading the ledger of ${task}: ${err.message}`);
    return parseLedger(lines as string[]);
  });
}

function parseLedger(lines: string[]): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  for (const line of lines) {
    try {
      out.push(JSON.parse(line) as LedgerEntry);
    } catch {
      /* a foreign or truncated line: not ours to show */
    }
  }
  return out;
}

/** One line for an entry, for `list` and `why`. */
export function describeEntry(e: LedgerEntry): string {
  const times = e.count && e.count > 1 ? ` x${e.count}${e.capped ? "+" : ""}` : "";
  const tail = e.backfill ? " (backfill)" : e.catchup ? " (catch-up)" : "";
  if (e.outcome === "enqueued") return `enqueued ${e.jobId ?? "?"}${tail}`;
  if (e.outcome === "missed") return `missed${times} (collapsed into the next run)`;
  const running = e.reason === "overlap" && e.runningJobId ? `: ${e.runningJobId} still live` : "";
  const detail = e.detail ? ` (${e.detail})` : "";
  return `skipped${times}: ${e.reason ?? "?"}${running}${detail}`;
}
