/**
 * The job model and the contract between the queue (src/queue) and the workers (src/worker).
 * Vocabulary is python-rq's: enqueue, dequeue, requeue, heartbeat, registries.
 */
import type { RetryPolicy } from "../config/retry-policy.js";

export type JobStatus = "queued" | "scheduled" | "deferred" | "started" | "finished" | "failed" | "canceled";

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

export interface AttemptRecord {
  attempt: number;
  worker: string;
  startedAt: number;
  endedAt?: number;
  /** canceled: a cancel request stopped the running attempt (cancel_started.lua). */
  outcome: "finished" | "failed" | "timeout" | "abandoned" | "requeued" | "canceled";
  error?: SerializedError;
  /** Why a requeued attempt was given back (shutdown, stalled, ...), or how a canceled one stopped. */
  reason?: string;
}

export interface Progress {
  percent: number;
  title?: string;
  description?: string;
  at: number;
}

/**
 * A long run's status record (the reference's "Job Status Tracking" as a built-in): what the
 * task last passed to currentJob().setStatus(), plus when. Stored on the job hash.
 */
export interface StatusRecord {
  total?: number;
  processed?: number;
  /** Free text, e.g. "In Progress". */
  status?: string;
  /** When the task set it (ms). */
  updatedAt: number;
  [extra: string]: unknown;
}

export interface Job {
  id: string;
  /** Dotted path of the task. */
  method: string;
  queue: string;
  status: JobStatus;
  kwargs: Record<string, unknown>;
  /** Display name (Frappe's job_name). */
  jobName?: string;
  /** Seconds. */
  timeout: number;
  /** 1-based number of the current or last attempt; 0 before the first start. */
  attempt: number;
  retry?: RetryPolicy;
  createdAt: number;
  enqueuedAt?: number;
  startedAt?: number;
  endedAt?: number;
  /** Run-at time for delayed jobs and retries (ms). */
  scheduledAt?: number;
  /** The scheduler slot this job was enqueued for (ms), and whether it was a catch-up run. */
  scheduledFor?: number;
  catchup?: boolean;
  /** Enqueued by `scheduler backfill` for a past slot. */
  backfill?: boolean;
  /** Scheduled task id (hooks) that produced it. */
  task?: string;
  /** W3C trace context of the enqueue (src/telemetry/tracing.ts); absent without tracing. */
  traceparent?: string;
  /** W3C trace context of the first run that failed and was retried (retries link to it). */
  firstRun?: string;
  /** Dotted path of a failure handler called once when this job fails for good (besides the hooks' job_failure_handlers). */
  onFailure?: string;
  parentId?: string;
  /** Ids of jobs enqueued from inside this one, oldest first (the newest CHILDREN_KEPT); from getJob. */
  children?: string[];
  /** How many children were ever enqueued from this job (children may be capped). */
  childCount?: number;
  /** Every job this one waits for (enqueue's dependsOn); it stays "deferred" until they settle. */
  dependsOn?: string[];
  /** Dependencies not settled yet (deferred jobs only). */
  depsLeft?: number;
  /** Run even when a dependency fails for good (otherwise it is canceled with it). */
  allowFailure?: boolean;
  /** Why the job was canceled by the queue, e.g. "dependency <id> failed". */
  cancelReason?: string;
  /** When someone canceled it while it ran (ms); its worker stops it (src/worker/supervisor/cancel-relay.ts). */
  cancelRequested?: number;
  /** The last currentJob().setStatus() record. */
  statusRecord?: StatusRecord;
  worker?: string;
  result?: unknown;
  error?: SerializedError;
  progress?: Progress;
  /** Times this job was found abandoned by a dead worker and requeued. */
  stalls: number;
  /** Automatic retries scheduled so far (reset by a manual requeue). */
  retries?: number;
  /** Push to the front of the queue when it becomes due (atFront with delay/at). */
  atFront?: boolean;
  /** Set on the job enqueue() returns when an identical live job already existed. */
  deduplicated?: boolean;
  /** HMAC of the signed fields when signing is configured (src/security/signing.ts SIGNED_FIELDS). */
  sig?: string;
  /** Set when decoding found the hash damaged (src/queue/job-integrity.ts): the worker fails the job with it. */
  corrupt?: string;
  /** Random, signed: no two signed jobs share a signature. */
  nonce?: string;
  /** With signing.maxAge: after this moment (ms) workers refuse the job (signed). */
  expiresAt?: number;
}

/**
 * A job validated and encoded by enqueue(), not yet written to Redis: what transaction() and
 * a running job's after-commit collector hold, and what completeJob() pushes with the
 * completion. Plain JSON, so a job running in a child process can hand it back to its worker.
 */
export interface PreparedJob {
  id: string;
  queue: string;
  /** Job hash fields, encoded by src/queue/job-codec.ts. */
  fields: Record<string, string>;
  /** Run-at (ms); in the future -> the scheduled registry. */
  runAt?: number;
  atFront?: boolean;
  /** With an explicit id: return the live job with that id instead of failing. */
  deduplicate?: boolean;
  /** The id was given by the caller (jobId, or jobName with deduplicate), not generated. */
  named?: boolean;
  /** Job ids this job waits for; also in fields.dependsOn. */
  dependsOn?: string[];
  /** Run even if a dependency fails for good; also in fields.allowFailure. */
  allowFailure?: boolean;
  /** The parent's queue (fields.parentId), when its job keys are on another tag than this job's. */
  parentQueue?: string;
}

