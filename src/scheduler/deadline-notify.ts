/**
 * A missed deadline told to the failure handlers and notifiers (hooks `job_failure_handlers`
 * and the entry's `on_failure`, the same ones a failed job reaches), once per slot: the
 * scheduler calls this only for the slot schedule_deadline.lua recorded as newly missed. The
 * handlers get a failure shaped like a job's: `job` stands for the slot (id
 * "deadline:<task>:<slot>", task, method, scheduledFor) and `error.name` is DeadlineMissedError,
 * so a handler can tell a late schedule from a failed job.
 */
import type { FinalFailure } from "../queue/lifecycle.js";
import type { DeadlineMiss } from "./deadlines.js";

export function deadlineFailure(miss: DeadlineMiss, now: number): FinalFailure {
  const { task, slot, dueBy } = miss;
  const message = `${task.id}: the run of slot ${new Date(slot).toISOString()} had not finished by ${new Date(dueBy).toISOString()} (deadline ${Math.round(task.deadlineMs! / 1000)} s)`;
  return {
    job: {
      id: `deadline:${task.id}:${slot}`,
      method: task.method,
      queue: task.queue,
      status: "failed",
      kwargs: task.kwargs,
      timeout: task.timeout ?? 0,
      attempt: 0,
      stalls: 0,
      retries: 0,
      createdAt: slot,
      endedAt: now,
      scheduledFor: slot,
      task: task.id,
      ...(task.onFailure ? { onFailure: task.onFailure } : {}),
    },
    error: { name: "DeadlineMissedError", message },
    attempts: 0,
    history: [],
    canceledDependents: [],
  };
}

/**
 * What the notifier calls: the worker's FailureHandlers (src/worker/failure-handlers.ts) fit;
 * named by shape so the scheduler does not import the worker layer above it.
 */
export interface FailureRunner {
  run(failure: FinalFailure): Promise<unknown>;
}

/** The scheduler's onDeadlineMissed for a daemon: run the failure handlers, wait for them. */
export function deadlineNotifier(handlers: FailureRunner, clock: () => number): (miss: DeadlineMiss) => Promise<void> {
  return async (miss) => {
    await handlers.run(deadlineFailure(miss, clock()));
  };
}
