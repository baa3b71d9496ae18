/**
 * The scheduler's enqueue: one enqueue.lua call that records the slot with the job (at most one
 * enqueue per (task, slot) however many daemons run) and skips a task whose last job is live.
 */
import { EnqueueError } from "../base/errors.js";
import type { QueueEnv } from "./context.js";
import { normalizeOptions } from "./options.js";
import { buildPrepared, checkKwargs, checkQueue } from "./prepare.js";
import { runEnqueueScript } from "./push.js";
import { readJobFields } from "./find-job.js";
import { withEnqueueSpan, withFireSpan } from "../telemetry/tracing.js";
import type { Job } from "./types.js";
import type { RetryPolicy } from "../config/retry-policy.js";
import type { OverlapPolicy } from "../schedule/overlap-policy.js";
import { cancel } from "./registry.js";
import { jobField } from "./job-fields.js";

export interface ScheduledEnqueueInput {
  /** ScheduledTask.id */
  task: string;
  /** The slot (ms) being fired. */
  slot: number;
  method: string;
  queue: string;
  kwargs: Record<string, unknown>;
  /** Seconds; default from the queue config. */
  timeout?: number;
  catchup: boolean;
  /** Run this many ms after now (spreads load; the slot is unchanged). */
  jitterMs?: number;
  /** The hooks entry's `on_failure` handler (dotted path), stored on the job. */
  onFailure?: string;
  /** The hooks entry's retry policy; absent: the queue's default. */
  retry?: RetryPolicy;
  /** The scheduler's leader lease number: a stale lease enqueues nothing ("fenced"). */
  fence?: number;
  /** Overlap policy of the entry (default "skip"; see src/schedule/overlap-policy.ts). */
  overlap?: OverlapPolicy;
  /** The job enqueued for the previous slot of the same batch: the batch obeys the policy as one. */
  sibling?: string;
  /** A past slot enqueued by `scheduler backfill` (checked against the runs set, not the slot record). */
  backfill?: boolean;
}

export type ScheduledEnqueueResult =
  | { outcome: "enqueued"; job: Job }
  | { outcome: "slot-taken" }
  | { outcome: "fenced" }
  | { outcome: "overlap"; runningJobId: string };

export async function enqueueScheduled(env: QueueEnv, input: ScheduledEnqueueInput): Promise<ScheduledEnqueueResult> {
  if (!Number.isFinite(input.slot)) throw new EnqueueError("BAD_SLOT", `enqueueScheduled: slot of ${input.task} must be ms since epoch, got ${input.slot}`);
  const o = normalizeOptions({ queue: input.queue, timeout: input.timeout, kwargs: input.kwargs, onFailure: input.onFailure, retry: input.retry });
  checkQueue(env, o.queue);
  checkKwargs(o.kwargs);
  if (input.jitterMs && input.jitterMs > 0) o.delayMs = input.jitterMs;
  // Task paths are resolved once at start-up by the scheduler; no per-fire resolution here.
  const { prepared, job } = buildPrepared(env, input.method, o, { task: input.task, scheduledFor: input.slot, catchup: input.catchup, ...(input.backfill ? { backfill: true } : {}) });
  const tag = env.keys.jobTag(prepared.queue);
  if (input.overlap === "cancelOther") await cancelOverlapping(env, input.task, input.sibling, tag);
  const guard = {
    task: input.task,
    slot: input.slot,
    ...(input.fence !== undefined ? { fence: input.fence } : {}),
    ...(input.overlap && input.overlap !== "skip" ? { overlap: input.overlap } : {}),
    ...(input.sibling ? { sibling: input.sibling } : {}),
    ...(input.backfill ? { mode: "backfill" as const } : {}),
    ...(input.catchup ? { catchup: true } : {}),
  };
  const res = await withFireSpan(input.task, input.slot, () =>
    withEnqueueSpan(o.queue, job.id, (tp) => {
      if (tp) prepared.fields.traceparent = tp;
      return runEnqueueScript(env, [prepared], guard, tag);
    }),
  );
  if (res.guard === "slot-taken") return { outcome: "slot-taken" };
  if (res.guard === "fenced") return { outcome: "fenced" };
  if (res.guard === "overlap") return { outcome: "overlap", runningJobId: res.running ?? "?" };
  if (!res.ok) throw new EnqueueError("ENQUEUE_FAILED", `enqueueScheduled: ${input.task}: job id ${res.id} is taken`);
  const r = Array.isArray(res.results) ? res.results[0] : undefined;
  return { outcome: "enqueued", job: { ...job, status: r?.status ?? job.status } };
}

const LIVE = new Set(["queued", "scheduled", "deferred", "started"]);

/** cancelOther: cancel the task's live job unless it belongs to the same batch. */
async function cancelOverlapping(env: QueueEnv, task: string, sibling: string | undefined, tag: string): Promise<string | undefined> {
  // the last job is recorded on the tag the task's jobs are enqueued on (push.ts)
  const id = await env.redis.hget(env.keys.lastJobs(tag), task);
  if (!id || id === sibling) return undefined;
  // by id alone: on whichever queue's tag the job is (find-job.ts)
  const [status] = (await readJobFields(env, [id], [jobField.status]))[0] ?? [];
  if (!status || !LIVE.has(status)) return undefined;
  try {
    await cancel(id, env);
    return id;
  } catch {
    // it ended between the read and the cancel: nothing to cancel
    return undefined;
  }
}
