/**
 * The running job, per async context (AsyncLocalStorage from processState().jobStorage, shared by
 * every copy of the package), and the unit-of-work collector behind `enqueueAfterCommit`.
 *
 * A scope is opened by runInJobContext (a job) or transaction(); enqueue() with
 * enqueueAfterCommit inside one adds its prepared job to that scope's collector instead of
 * writing it. A transaction nested in another scope hands its jobs to the outer one
 * (savepoint semantics): they are pushed only when the outermost unit succeeds.
 */
import type { QueueEnv } from "../queue/context.js";
import type { Job, PreparedJob } from "../queue/types.js";
import { runJobScript } from "../queue/job-scripts.js";
import { EnqueueError } from "../base/errors.js";
import { currentScope, registerJobRunner, runInScope, type JobRunOutcome, type WorkScope } from "../queue/work-scope.js";
import { scriptResult } from "../redis/script-results.js";
import { scriptStatusWriter, StatusRecorder, statusRecord, type StatusInput, type StatusWriter } from "./status-recorder.js";
import type { Logger } from "../log/logger.js";

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
  /** A run of a past slot enqueued by `scheduler backfill`. */
  backfill?: boolean;
  /** "schedule" (on time), "catchup" (after downtime), "backfill" or "enqueue" (from code or the CLI). */
  trigger?: "schedule" | "catchup" | "backfill" | "enqueue";
  jobName?: string;
  /** Aborted when the worker wants the job to stop (timeout, shutdown); check it in long loops. */
  signal: AbortSignal;
  publishProgress(p: ProgressInput): Promise<boolean>;
  /**
   * Keep a status record on the job ({ total, processed, status, ...extra }), readable as
   * getJob(id).statusRecord. Cheap in a tight loop: throttled to ~5 writes/s, the last value is
   * always written when the job ends; a job.status event at most once a second. Optional here
   * only for scopes built by hand (tests); currentJob() always has it.
   */
  setStatus?(s: StatusInput): Promise<void>;
  /** Logger tagged with the job (jobId, queue, task, attempt): lines reach `scheduler logs --job`. */
  log: JobLog;
}

/** pino's call shapes, trimmed: `log.info("text")` or `log.info({ rows: 3 }, "text")`. */
export type JobLog = Logger;

/** Where no worker logger is given (a job run in-process with `now`, tests): plain lines on stderr. */
function consoleJobLog(jobId: string): JobLog {
  const line = (level: string) => (obj: object | string, msg?: string) => {
    const text = typeof obj === "string" ? obj : `${msg ?? ""} ${JSON.stringify(obj)}`.trim();
    process.stderr.write(`${level} [job ${jobId}] ${text}\n`);
  };
  return { debug: () => {}, info: line("info"), warn: line("warn"), error: line("error") };
}

export interface JobContextOptions {
  /** Aborted by the worker on timeout or shutdown (cooperative); a function: made on first use. */
  signal?: AbortSignal | (() => AbortSignal);
  /** A logger bound to the job, exposed as currentJob().log (default: lines on stderr). */
  log?: JobLog;
  /** Replaces the status write (status.lua); for tests that count writes. */
  statusWriter?: StatusWriter;
}

function checkProgress(p: ProgressInput): void {
  if (!p || typeof p.percent !== "number" || !Number.isFinite(p.percent) || p.percent < 0 || p.percent > 100) {
    throw new EnqueueError("BAD_PROGRESS", `publishProgress: percent must be a number from 0 to 100, got ${JSON.stringify(p?.percent)}`);
  }
}

/** Run `fn` as job `job`: currentJob() answers inside it; after-commit jobs are collected. */
export async function runInJobContext<T>(
  job: Job,
  env: QueueEnv,
  fn: () => T | Promise<T>,
  options: JobContextOptions = {},
): Promise<JobRunOutcome<Awaited<T>>> {
  // Made on the first setStatus: most jobs never keep a status record.
  let status: StatusRecorder | undefined;
  const recorder = () => (status ??= new StatusRecorder(env.clock, options.statusWriter ?? scriptStatusWriter(env, job.id, env.keys.jobTag(job.queue))));
  let own: AbortSignal | undefined;
  const given = options.signal;
  const signalOf = typeof given === "function" ? given : () => given ?? (own ??= new AbortController().signal);
  const current: CurrentJob = {
    id: job.id,
    queue: job.queue,
    attempt: job.attempt,
    kwargs: job.kwargs,
    scheduledFor: job.scheduledFor,
    catchup: job.catchup,
    ...(job.backfill ? { backfill: true } : {}),
    trigger: job.backfill ? "backfill" : job.catchup ? "catchup" : job.scheduledFor !== undefined ? "schedule" : "enqueue",
    jobName: job.jobName,
    get signal() {
      return signalOf();
    },
    log: options.log ?? consoleJobLog(job.id),
    publishProgress: async (p) => {
      checkProgress(p);
      const progress = { percent: p.percent, title: p.title, description: p.description, at: env.clock() };
      return scriptResult.progress(await runJobScript(env, "progress", [job.id, JSON.stringify(progress), env.keys.realtime("job_progress")], [], env.keys.jobTag(job.queue)));
    },
    setStatus: (s) => recorder().set(s),
  };
  const scope = { kind: "job", job: current, afterCommit: [] as PreparedJob[] } satisfies WorkScope;
  try {
    const result = (await runInScope(scope, fn)) as Awaited<T>;
    return { result, followUps: scope.afterCommit };
  } finally {
    // The last status is on the job before the worker records the outcome (complete/fail).
    if (status) await status.flush();
  }
}

/** What currentJob() returns: the running job, setStatus always present. */
export type RunningJob = CurrentJob & { setStatus(s: StatusInput): Promise<void> };

/** The job whose code is running, or undefined outside a job. */
export function currentJob(): RunningJob | undefined {
  // Scopes with a job are built by runInJobContext below, so the job is a CurrentJob.
  const job = currentScope()?.job as CurrentJob | undefined;
  if (!job) return undefined;
  // A scope built without runInJobContext has no recorder: validate and store nothing.
  job.setStatus ??= async (s) => void statusRecord(s, 0);
  return job as RunningJob;
}

/**
 * Frappe's publish_progress: store { percent, title, description } on the running job, log it
 * to the event stream and PUBLISH it. Resolves false outside a job (or when the job is not
 * started in Redis, e.g. run with `now`), so task code can call it unconditionally.
 */
export async function publishProgress(p: ProgressInput): Promise<boolean> {
  const job = currentJob();
  if (!job) {
    checkProgress(p);
    return false;
  }
  return job.publishProgress(p);
}

// The queue runs jobs in this process (enqueue `now`, a handle's perform()) through this.
registerJobRunner(runInJobContext);
