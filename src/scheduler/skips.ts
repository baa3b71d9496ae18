/**
 * Where a skip's slot record goes (issue 17). A skip marks a task's slots handled without an
 * enqueue; its record must be the one the enqueue guard moves (one record per task, only
 * forward), so that two daemons that both lead for a moment cannot record one slot skipped and
 * enqueued.
 *
 * On the installation layout that record is on `{prefix}` with the ledger: one
 * scheduler_skip.lua call per skip in the caller's pipeline, as always (no other call).
 *
 * On the per-queue layout it is on the task's queue's tag, beside the guard's: first, one
 * pipeline per tag (sent together), each skip decided and recorded there (scheduler_skip_tag.lua,
 * fenced against the tag's number like the guard's enqueue) with the first-seen baselines of
 * those tasks (HSETNX, unfenced as before); then the caller's pipeline on `{prefix}` with the
 * ledger entry, counters and event of each skip the first call recorded
 * (scheduler_skip_entry.lua). A crash (or a lost connection) between the two leaves a slot
 * recorded on its tag without its entry: it is neither fired nor skipped again (the record
 * refuses both), only its line in `scheduler why`, its skipped:<reason> count and its
 * job.skipped event are missing, while `scheduler list` shows the slot handled.
 */
import type { ChainableCommander, Redis } from "ioredis";
import type { Keys } from "../redis/keys.js";
import { anySkipFenced, scriptResult } from "../redis/script-results.js";
import { execScriptPipeline } from "../redis/scripts.js";
import { groupByTag } from "../redis/tag-pipeline.js";
import { guardTag, type GuardedTask } from "./guard-records.js";
import { LEDGER_SCRIPTS, TAG_SKIP_SCRIPTS, pipeEntry, pipeSkip, pipeSkipEntry, pipeSkipOnTag, type LedgerEntry } from "./ledger.js";

/** Slots of `task` up to `slot` handled without an enqueue, told by `entry`. */
const SCRIPTS = [...LEDGER_SCRIPTS, ...TAG_SKIP_SCRIPTS];

export interface TaskSkip {
  task: GuardedTask;
  slot: number;
  entry: LedgerEntry;
}

/** A first-seen task's slot record (plan-tick.ts baselines): written only when it has none. */
export interface TaskBaseline {
  task: GuardedTask;
  slot: number;
}

export interface SkipRound {
  skips: readonly TaskSkip[];
  baselines?: readonly TaskBaseline[];
  /** The leader lease number the skips are recorded with (undefined: not fenced). */
  fence?: number;
  /** The caller's writes on `{prefix}` before the skips' (ledger entries of fired slots). */
  before?: (pipe: ChainableCommander) => void;
  /** The caller's writes on `{prefix}` after them (the tick time). */
  after?: (pipe: ChainableCommander) => void;
}

/** Record a round of skips and baselines; true when a skip was refused (our lease number is stale). */
export async function writeSkips(redis: Redis, keys: Keys, round: SkipRound): Promise<boolean> {
  const baselines = round.baselines ?? [];
  // on the installation layout every record is on `{prefix}`: nothing to sort out
  const onTag = (task: GuardedTask) => keys.jobTags !== "installation" && guardTag(keys, task) !== keys.root;
  const recorded = new Set<TaskSkip>();
  let fenced = false;
  const tagged: Array<{ task: GuardedTask; skip?: TaskSkip; baseline?: TaskBaseline }> = [
    ...round.skips.filter((s) => onTag(s.task)).map((skip) => ({ task: skip.task, skip })),
    ...baselines.filter((b) => onTag(b.task)).map((baseline) => ({ task: baseline.task, baseline })),
  ];
  if (tagged.length) {
    const groups = groupByTag(tagged, (w) => guardTag(keys, w.task));
    await Promise.all(
      groups.map(async ({ tag, items }) => {
        const replies = await execScriptPipeline(redis, SCRIPTS, (p) => {
          for (const { skip, baseline } of items) {
            if (skip) pipeSkipOnTag(p, keys, tag, skip.task.id, skip.slot, skip.entry, round.fence);
            else if (baseline) p.hsetnx(keys.lastSlots(tag), baseline.task.id, String(baseline.slot));
          }
        });
        items.forEach(({ skip }, i) => {
          if (!skip) return;
          const outcome = scriptResult.scheduler_skip_tag(replies[i]);
          if (outcome === "recorded") recorded.add(skip);
          else if (outcome === "fenced") fenced = true;
        });
      }),
    );
  }
  const results = await execScriptPipeline(redis, SCRIPTS, (p) => {
    round.before?.(p);
    for (const b of baselines) if (!onTag(b.task)) p.hsetnx(keys.lastSlots(), b.task.id, String(b.slot));
    for (const s of round.skips) {
      if (!onTag(s.task)) pipeSkip(p, keys, s.task.id, s.slot, s.entry, round.fence);
      else if (recorded.has(s)) pipeSkipEntry(p, keys, s.task.id, s.slot, s.entry);
    }
    round.after?.(p);
  });
  return fenced || anySkipFenced(results);
}

/**
 * A fire's ledger entries, oldest first. A trailing excluded slot (no later enqueue moves the
 * slot record past it) is recorded as a skip, so the record and the entry move together.
 */
export async function writeFireEntries(redis: Redis, keys: Keys, task: GuardedTask, entries: readonly LedgerEntry[], fence?: number): Promise<void> {
  const last = entries[entries.length - 1];
  const trailing = last?.reason === "excluded" ? last : undefined;
  const told = trailing ? entries.slice(0, -1) : entries;
  await writeSkips(redis, keys, {
    skips: trailing ? [{ task, slot: trailing.slot, entry: trailing }] : [],
    fence,
    before: (p) => {
      for (const e of told) pipeEntry(p, keys, task.id, e);
    },
  });
}
