/**
 * The unit of work code runs in: a running job and/or a transaction. enqueue() holds
 * after-commit jobs on it; src/runtime/job-context.ts builds the job's scope (currentJob()).
 *
 * Running a task as a job needs the job context, which lives in the runtime layer above the
 * queue: the runtime registers its runner here (registerJobRunner) when it loads, so the queue
 * calls it without importing upward.
 */
import { EnqueueError } from "../base/errors.js";
import { processState } from "../base/process-state.js";
import type { QueueEnv } from "./context.js";
import type { Job, PreparedJob } from "./types.js";

/** One unit of work: a running job and/or a transaction. */
export interface WorkScope {
  kind: "job" | "transaction";
  /** The running job (src/runtime/job-context.ts CurrentJob): its id, and its queue (the tag of its keys). */
  job?: { id: string; queue?: string };
  afterCommit: PreparedJob[];
}

export function currentScope(): WorkScope | undefined {
  const s = processState().jobStorage.getStore() as WorkScope | undefined;
  return s && Array.isArray(s.afterCommit) ? s : undefined;
}

/** Run `fn` inside a new scope (used by the job runner and transaction()). */
export function runInScope<T>(scope: WorkScope, fn: () => T | Promise<T>): Promise<T> {
  return processState().jobStorage.run(scope, async () => fn());
}

/** What a run produced: the task's result and the after-commit jobs to push on success. */
export interface JobRunOutcome<T> {
  result: T;
  followUps: PreparedJob[];
}

/** Runs `fn` as job `job` (currentJob() answers inside it); after-commit jobs are collected. */
export type JobRunner = <T>(job: Job, env: QueueEnv, fn: () => T | Promise<T>) => Promise<JobRunOutcome<Awaited<T>>>;

export function registerJobRunner(runner: JobRunner): void {
  processState().jobRunner = runner;
}

/** Run `fn` as job `job` with the registered runner. */
export function runAsJob<T>(job: Job, env: QueueEnv, fn: () => T | Promise<T>): Promise<JobRunOutcome<Awaited<T>>> {
  const runner = processState().jobRunner as JobRunner | undefined;
  if (!runner) {
    throw new EnqueueError("NO_JOB_RUNNER", `cannot run job ${job.id} in this process: the job context (src/runtime/job-context.ts) is not loaded`, {
      hint: 'import from "hooks-scheduler" (its index loads the job context)',
    });
  }
  return runner(job, env, fn);
}
