/**
 * The scheduler's enqueue: one Lua call that records the slot with the job (at most one enqueue
 * per (task, slot) however many daemons run) and skips a task whose last job is still live.
 * INTERFACE COMMIT: the body lands in the next commit.
 */
import type { QueueEnv } from "./context.js";
import type { Job } from "./types.js";

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
}

export type ScheduledEnqueueResult =
  | { outcome: "enqueued"; job: Job }
  | { outcome: "slot-taken" }
  | { outcome: "overlap"; runningJobId: string };

export async function enqueueScheduled(_env: QueueEnv, _input: ScheduledEnqueueInput): Promise<ScheduledEnqueueResult> {
  throw new Error("enqueueScheduled: implementation lands in the next commit");
}
