/**
 * `scheduler backfill TASK --from --to`: enqueue every slot of a past range once. Each slot goes
 * through the enqueue guard in backfill mode (schedule_guard_lib.lua): the runs set records it
 * with the job, so it never doubles with normal firing or with a second backfill; the slots of
 * one backfill are one batch for the overlap policy. Jobs are marked backfill (currentJob().
 * trigger === "backfill") and recorded in the ledger.
 */
import type { ScheduledTask } from "../hooks/types.js";
import type { OverlapPolicy } from "../schedule/overlap-policy.js";
import { settledEnv, type QueueEnv } from "../queue/context.js";
import { enqueueScheduled } from "../queue/enqueue-scheduled.js";
import { SchedulerError } from "../base/errors.js";
import { exclusionOf } from "../schedule/exclusions.js";
import { readLedger, recordEntry } from "../scheduler/ledger.js";
import { nextFire } from "../schedule/next-fire.js";
import { scheduleKeys } from "../redis/schedule-keys.js";
import { resolveSchedule } from "../scheduler/schedule-target.js";

/** A backfill enqueues at most this many slots (narrow the range for more). */
export const BACKFILL_MAX_SLOTS = 1000;

export interface BackfillInput {
  from: number;
  to: number;
  dryRun?: boolean;
  /** Override the entry's overlap policy for this backfill. */
  overlap?: OverlapPolicy;
}

export type BackfillSlotOutcome = "enqueued" | "would-enqueue" | "already-run" | "excluded" | "overlap";

export interface BackfillSlot {
  slot: number;
  outcome: BackfillSlotOutcome;
  jobId?: string;
  /** excluded: the rule; overlap: the live job. */
  detail?: string;
}

export interface BackfillResult {
  task: string;
  from: number;
  to: number;
  overlap: OverlapPolicy;
  dryRun: boolean;
  slots: BackfillSlot[];
}

export async function backfill(ctx: { env: QueueEnv; tasks: ScheduledTask[]; zone: string }, target: string, input: BackfillInput): Promise<BackfillResult> {
  const { env, zone } = ctx;
  const task = resolveSchedule(ctx.tasks, target);
  const now = env.clock();
  if (!(input.from <= input.to)) throw new SchedulerError("BAD_RANGE", `backfill: --from ${new Date(input.from).toISOString()} is after --to ${new Date(input.to).toISOString()}`, { hint: "give --from before --to" });
  if (input.to > now) throw new SchedulerError("BAD_RANGE", `backfill: --to ${new Date(input.to).toISOString()} is in the future`, { hint: "future slots fire on their own; end the range at or before now" });
  const slots: number[] = [];
  for (let t = nextFire(task.expression, zone, input.from - 1); t !== undefined && t <= input.to; t = nextFire(task.expression, zone, t)) {
    if (slots.length >= BACKFILL_MAX_SLOTS) {
      throw new SchedulerError("BACKFILL_TOO_LARGE", `backfill: ${task.id} has more than ${BACKFILL_MAX_SLOTS} slots between --from and --to`, { hint: "narrow the range and run backfill once per part; nothing was enqueued" });
    }
    slots.push(t);
  }
  const overlap = input.overlap ?? task.overlap ?? "skip";
  await settledEnv(env); // the range checked first: a refused backfill writes nothing
  // Slots enqueued before the runs set existed are known from the ledger.
  const ledgerRun = new Set((await readLedger(env.redis, env.keys, task.id)).filter((e) => e.outcome === "enqueued").map((e) => e.slot));
  // on the tag the task's jobs are enqueued on, where the enqueue guard records them
  const runs = scheduleKeys(env.keys).runs(task.id, env.keys.jobTag(task.queue));
  const scores = slots.length ? await env.redis.zmscore(runs, ...slots.map(String)) : [];
  const out: BackfillSlot[] = [];
  let sibling: string | undefined;
  for (const [i, slot] of slots.entries()) {
    const rule = exclusionOf(task.except, slot, zone);
    if (rule) {
      out.push({ slot, outcome: "excluded", detail: rule });
      continue;
    }
    if (scores[i] != null || ledgerRun.has(slot)) {
      out.push({ slot, outcome: "already-run" });
      continue;
    }
    if (input.dryRun) {
      out.push({ slot, outcome: "would-enqueue" });
      continue;
    }
    const r = await enqueueScheduled(env, {
      task: task.id,
      slot,
      method: task.method,
      queue: task.queue,
      kwargs: task.kwargs,
      timeout: task.timeout,
      catchup: true,
      onFailure: task.onFailure,
      overlap,
      sibling,
      backfill: true,
    });
    const at = env.clock();
    if (r.outcome === "enqueued") {
      sibling = r.job.id;
      out.push({ slot, outcome: "enqueued", jobId: r.job.id });
      await recordEntry(env.redis, env.keys, task.id, { slot, at, outcome: "enqueued", jobId: r.job.id, catchup: true, backfill: true });
    } else if (r.outcome === "overlap") {
      out.push({ slot, outcome: "overlap", detail: r.runningJobId });
    } else {
      out.push({ slot, outcome: "already-run" });
    }
  }
  return { task: task.id, from: input.from, to: input.to, overlap, dryRun: Boolean(input.dryRun), slots: out };
}
