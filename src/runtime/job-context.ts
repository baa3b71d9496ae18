/**
 * The running job, per async context. INTERFACE COMMIT: bodies land in the next commit.
 */
import type { QueueEnv } from "../queue/context.js";
import type { Job, PreparedJob } from "../queue/types.js";

export interface ProgressInput {
  percent: number;
  title?: string;
  description?: string;
}

export interface CurrentJob {
  id: string;
  queue: string;
  attempt: number;
  kwargs: Record<string, unknown>;
  scheduledFor?: number;
  catchup?: boolean;
  jobName?: string;
  signal: AbortSignal;
  publishProgress(p: ProgressInput): Promise<boolean>;
  log?: unknown;
}

export interface JobContextOptions {
  /** Aborted by the worker on timeout or shutdown (cooperative). */
  signal?: AbortSignal;
  /** A logger bound to the job, exposed as currentJob().log. */
  log?: unknown;
}

/** What a run produced: the task's result and the after-commit jobs to push on success. */
export interface JobRunOutcome<T> {
  result: T;
  followUps: PreparedJob[];
}

export async function runInJobContext<T>(_job: Job, _env: QueueEnv, _fn: () => T | Promise<T>, _options: JobContextOptions = {}): Promise<JobRunOutcome<Awaited<T>>> {
  throw new Error("runInJobContext: implementation lands in the next commit");
}
export function currentJob(): CurrentJob | undefined {
  throw new Error("currentJob: implementation lands in the next commit");
}
export async function publishProgress(_p: ProgressInput): Promise<boolean> {
  throw new Error("publishProgress: implementation lands in the next commit");
}
