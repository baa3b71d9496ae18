/**
 * Run one dequeued job inside a child process and record its outcome (python-rq's
 * `perform_job`): resolve the task, run it in the job's context with an abort signal, then
 * complete it (with its after-commit follow-ups) or fail it (the queue applies the retry policy).
 *
 * Timeouts: the supervisor learns the hard deadline from the next pulse (or, if the task blocks
 * the event loop first, from the job's lease in Redis) and kills this whole process there;
 * shortly before, this module aborts the job's signal (the soft timeout) so a task
 * that listens can stop on its own, which fails the job with the same timeout error.
 */
import type { TaskRegistry } from "../../tasks/task-table.js";
import { cancelStarted, completeAndTake, completeJob, failJob, requeueJob, type DequeueOptions, type FailJobInput } from "../../queue/lifecycle.js";
import { runInJobContext } from "../../runtime/job-context.js";
import { JobCanceledError, JobLeaseLostError, JobTimeoutError } from "../../base/errors.js";
import { hardDeadline, jobLimit, softDeadline, timeoutMessage, type JobLimit } from "../deadline.js";
import type { FailureHandlers } from "../failure-handlers.js";
import { JobRejectedError, signatureProblem } from "../../security/signing.js";
import { CorruptJobError, jobProblem } from "../../queue/job-integrity.js";
import { setLongTimeout } from "../../base/long-timeout.js";
import { jobLogger, lazyJobLog } from "../../log/logger.js";
import type { Job, PreparedJob } from "../../queue/types.js";
import type { QueueEnv } from "../../queue/context.js";
import type { PulseJournal } from "./pulse-journal.js";
import type { JobLinesMode, JobOutcome } from "../protocol.js";
import { appendEvent } from "../../log/events.js";
import { signedFieldsOfJob } from "../../queue/job-codec.js";
import { followShutdown, JobAbort } from "./job-abort.js";
import type { Logger as PinoLogger } from "pino";
import type { CompletionBatch } from "./completion-batch.js";
import { noteError, withRunSpan } from "../../telemetry/tracing.js";
import { jobEndNote, rememberFailure, wantsNote } from "./job-end-note.js";

export interface RunJobDeps {
  env: QueueEnv;
  tasks: TaskRegistry;
  worker: string;
  /** Tells the supervisor, with the next pulse, which jobs run and how they ended (pulse-journal.ts). */
  journal: Pick<PulseJournal, "jobStarted" | "jobEnded" | "finishedLine">;
  /** A task module failed to load (the caller reports each module once). */
  onLoadError(method: string, err: unknown): void;
  /** Redis refused to record the outcome. */
  onRecordError(job: Job, err: unknown): void;
  /** Aborted when this child is told to shut down hard; running tasks see it too. */
  shutdownSignal: AbortSignal;
  /** Runs the failure handlers of a job that failed for good (absent: none run). */
  failures?: FailureHandlers;
  /** Base logger of task code: currentJob().log is its child tagged with the job. */
  taskLogger?: PinoLogger;
  /** Sends the completions of one moment together (a child running jobs concurrently). */
  completions?: CompletionBatch;
  /** The running jobs' aborts by job id, so a cancel request can reach one (child/main.ts). */
  aborts?: Map<string, JobAbort>;
  /** Which ended jobs the daemon prints a line for, and the app root their stack frames are shown from. */
  jobLines?: { mode: JobLinesMode; appRoot: string };
}

export type RunOutcome = JobOutcome;

/**
 * Dequeue the next job in the same script call as the completion (BullMQ's moveToFinished does the
 * same; complete.lua), so one job costs one round trip and one script instead of two.
 * `options()` is asked when the task has ended (undefined: do not dequeue; the worker may have been
 * told to stop meanwhile); `next` is set when a job was leased.
 */
export interface DequeueNext {
  options(): DequeueOptions | undefined;
  next?: Job | null;
}

export async function runJob(deps: RunJobDeps, job: Job, dequeueNext?: DequeueNext): Promise<RunOutcome> {
  const { env } = deps;
  const startedAt = job.startedAt ?? env.clock();
  const { limit, message } = limitOf(job, env);
  // No IPC write here: the next pulse carries it, and a task that blocks the event loop before
  // then is found by the supervisor in Redis (pulse-journal.ts).
  deps.journal.jobStarted({ id: job.id, queue: job.queue, deadline: hardDeadline(startedAt, limit), limit: message, method: job.method, startedAt });

  const abort = new JobAbort();
  // The error is made only when the soft timeout fires: an Error per job (its stack trace) is
  // measurable on the hot path (bench: ~20 µs of a ~500 µs job cycle).
  // setLongTimeout: a timeout past ~24.8 days would fire at once as a plain setTimeout.
  const softTimer = setLongTimeout(() => abort.abort(new JobTimeoutError(message)), Math.max(0, softDeadline(startedAt, limit) - env.clock()), env.clock);
  const unfollow = followShutdown(deps.shutdownSignal, abort);
  deps.aborts?.set(job.id, abort);

  let outcome: RunOutcome;
  try {
    outcome = await withRunSpan(job, () => perform(deps, job, abort, dequeueNext));
  } catch (err) {
    // Redis refused the outcome: the job stays in `started` until its lease lapses and the
    // reaper requeues it. The supervisor must stop extending that lease, hence the note.
    deps.onRecordError(job, err);
    outcome = "unrecorded";
  } finally {
    softTimer.clear();
    unfollow();
    deps.aborts?.delete(job.id);
  }
  const lines = deps.jobLines;
  if (lines && outcome === "finished" && wantsNote(lines.mode, outcome)) {
    deps.journal.finishedLine(job.id, job.queue, job.method, job.attempt, env.clock() - startedAt);
    deps.journal.jobEnded(job.id, outcome);
  } else deps.journal.jobEnded(job.id, outcome, lines && wantsNote(lines.mode, outcome) ? jobEndNote(job, outcome, startedAt, env.clock(), lines.appRoot) : undefined);
  return outcome;
}

/** The job's limit and its timeout message, made once per queue and timeout (per job: measurable). */
const limits = new WeakMap<QueueEnv["queues"], Map<string, { limit: JobLimit; message: string }>>();

function limitOf(job: Job, env: QueueEnv): { limit: JobLimit; message: string } {
  let byKey = limits.get(env.queues);
  if (!byKey) limits.set(env.queues, (byKey = new Map()));
  const key = `${job.queue}\n${job.timeout}`;
  let found = byKey.get(key);
  if (!found) {
    const limit = jobLimit(job, env.queues);
    found = { limit, message: timeoutMessage(limit) };
    byKey.set(key, found);
  }
  return found;
}

type Ran = { ok: true; result: unknown; followUps: PreparedJob[] } | { ok: false; error: unknown };

async function perform(deps: RunJobDeps, job: Job, abort: JobAbort, dequeueNext?: DequeueNext): Promise<RunOutcome> {
  const { env, worker } = deps;
  const damaged = jobProblem(job, env.queues);
  if (damaged) return failJob(env, { job, worker, error: new CorruptJobError(damaged), reason: "error" });
  if (env.signing) {
    const rejected = await refuseForgery(env, worker, job);
    if (rejected) return rejected;
  }
  let task: (kwargs: Record<string, unknown>) => unknown;
  try {
    task = deps.tasks.known?.(job.method) ?? (await deps.tasks.resolve(job.method));
  } catch (err) {
    deps.onLoadError(job.method, err);
    return fail(deps, { job, worker, error: err, reason: "error" });
  }
  let ran: Ran;
  try {
    const base = deps.taskLogger;
    // The job's logger is a pino child with the job's fields: made when the task first logs.
    const log = base ? lazyJobLog(() => jobLogger(base, job)) : undefined;
    const { result, followUps } = await runInJobContext(job, env, () => task(job.kwargs), { signal: () => abort.signal, log });
    ran = { ok: true, result, followUps };
  } catch (error) {
    ran = { ok: false, error };
    noteError(error);
  }
  if (ran.ok) {
    const dequeueOptions = dequeueNext?.options();
    const input = { job, worker, result: ran.result, followUps: ran.followUps };
    if (deps.completions) {
      const { outcome, next } = await deps.completions.complete(input, dequeueOptions);
      if (dequeueNext) dequeueNext.next = next;
      return outcome;
    }
    if (!dequeueNext || !dequeueOptions) return completeJob(env, input);
    const { outcome, next } = await completeAndTake(env, input, dequeueOptions);
    dequeueNext.next = next;
    return outcome;
  }
  // Its lease was taken while it ran: the job is someone else's now; write nothing.
  if (abort.aborted && abort.reason instanceof JobLeaseLostError) return "lease-lost";
  // Canceled while it ran (cancel() on a started job): it ends canceled, whatever it threw.
  if (abort.aborted && abort.reason instanceof JobCanceledError) {
    return cancelStarted(env, { job, worker, how: "its task stopped on the abort signal" });
  }
  // A task that stopped because of the soft timeout fails as a timeout, whatever it threw.
  // (Only the soft timer aborts this signal with a JobTimeoutError; shutdown uses its own reason.)
  if (abort.aborted && abort.reason instanceof JobTimeoutError) {
    return fail(deps, { job, worker, error: abort.reason, reason: "timeout" });
  }
  // One that stopped because the worker shuts down was not at fault: it runs again elsewhere.
  if (abort.aborted && deps.shutdownSignal.aborted) {
    return (await requeueJob(env, { job, worker, reason: "shutdown" })) ? "requeued" : "lease-lost";
  }
  return fail(deps, { job, worker, error: ran.error, reason: "error" });
}

/** failJob, and the failure handlers when it was the job's final failure (failure-handlers.ts). */
function fail(deps: RunJobDeps, input: FailJobInput): Promise<"retry-scheduled" | "failed" | "lease-lost"> {
  if (deps.jobLines) rememberFailure(input.job, input.error);
  return deps.failures ? deps.failures.fail(input) : failJob(deps.env, input);
}

/**
 * With signing configured, a job whose signature is missing or wrong never reaches task
 * resolution: it fails (no retry) with the reason, and a `job.rejected` event says so.
 */
async function refuseForgery(env: QueueEnv, worker: string, job: Job): Promise<RunOutcome | undefined> {
  if (!env.signing) return undefined;
  const problem = signatureProblem(env.signing.secret, signedFieldsOfJob(job), job.sig, env.clock());
  if (!problem) return undefined;
  const error = new JobRejectedError(problem);
  const outcome = await failJob(env, { job, worker, error, reason: "error" });
  await appendEvent(env.redis, env.keys, {
    type: "job.rejected",
    level: "error",
    at: env.clock(),
    msg: `job ${job.id} (${job.method}) ${error.message}`,
    jobId: job.id,
    queue: job.queue,
    worker,
  }).catch(() => {});
  return outcome;
}

/** "my_app.tasks.daily_report" -> "my_app.tasks", for load-error reports. */
export function moduleOf(method: string): string {
  const dot = method.lastIndexOf(".");
  return dot > 0 ? method.slice(0, dot) : method;
}
