/**
 * Shared vocabulary of the worker side: the logger it is given, the groups a supervisor runs,
 * and the small IPC notes between a supervisor and its child processes.
 *
 * The hot path stays in the child (it dequeues and completes by itself); the notes only tell the
 * supervisor enough to watch: which jobs run with which deadlines, as pulses (pulse.ts), never
 * a note per job.
 */
import type { ResolvedConfig } from "../config/types.js";
import type { TallyDelta } from "../telemetry/job-tally.js";
import type { JobEndNote, JobLinesMode } from "./job-end-note.js";
import type { Logger } from "../log/logger.js";

/** The logger a supervisor is given (pino's shape, trimmed to what we call). */
export type Strategy = "priority" | "round_robin";

/** N child processes serving the same queues. */
export interface WorkerGroupSpec {
  /** Display name, e.g. "short,default". */
  name: string;
  /** Queues in priority order. */
  queues: string[];
  /** Child processes in this group. */
  processes: number;
  /** Jobs one child runs at once (async tasks share the process). */
  concurrency: number;
  strategy: Strategy;
  /** V8 heap limit of each child (--max-old-space-size), from the queues' `maxMemoryMb`. */
  maxMemoryMb?: number;
}

/** Timings of the watch loop; defaults in supervisor.ts, smaller ones in tests. */
export interface WorkerTimings {
  /** How often the supervisor extends the leases of running jobs and refreshes the registry. */
  heartbeatMs: number;
  /** Lease given at dequeue and at each heartbeat; a job whose lease lapses is "stalled". */
  leaseMs: number;
  /** How often the supervisor runs reapStalled (and promoteScheduled when asked to). */
  reapMs: number;
  /** A child that dies this soon after it started counts as unstable. */
  unstableMs: number;
  /** How often expired jobs are swept from the registries (cleanRegistries); default 60 s. */
  cleanMs?: number;
  /** How long a canceled running job may take to stop on its signal before its child is killed; default 5 s. */
  cancelGraceMs?: number;
  /** Seconds a child blocks in waitForJobs before looking again. */
  blockSeconds: number;
}

/** Everything a child needs to start; sent as the first IPC message. */
export interface ChildInit {
  type: "init";
  /** Worker name of this child, unique across the installation (lease owner). */
  worker: string;
  config: ResolvedConfig;
  redisUrl: string;
  queues: string[];
  strategy: Strategy;
  concurrency: number;
  leaseMs: number;
  blockSeconds: number;
  /** Stop (exit 0) once the queues are empty and nothing runs. */
  burst: boolean;
  /** Dotted paths to load before taking jobs, so a module that throws while loading shows at once. */
  preload: string[];
  /** Which ended jobs the supervisor prints a line for (absent: none). */
  jobLines?: JobLinesMode;
}

export type ParentMessage =
  | ChildInit
  /** Take no more jobs; exit once the running ones are done. */
  | { type: "stop" }
  /** Forced shutdown is coming: abort the running jobs' signals (they are requeued, not failed). */
  | { type: "abort" }
  /** Someone canceled this running job: abort its signal with a JobCanceledError (job-cancel.ts). */
  | { type: "cancel"; jobId: string }
  /** This running job is no longer leased to the child: abort its signal with a JobLeaseLostError. */
  | { type: "lease-lost"; jobId: string };

export type ChildMessage =
  /** Connected, tasks preloaded: taking jobs. */
  | { type: "ready" }
  /** A task module could not be loaded (reported once per module per child). */
  | { type: "load-error"; module: string; error: string }
  /** Could not start at all (bad config, Redis refused): the supervisor must not restart blindly. */
  | { type: "fatal"; error: string }
  /** The jobs running now and the outcomes since the last pulse (pulse.ts). */
  | PulseNote
  /** Burst mode: nothing left to take and nothing running. */
  | { type: "drained" }
  /** Stopped as asked; about to exit 0. */
  | { type: "exiting" };

/** A running job as its child reports it: enough for the supervisor to enforce its hard timeout. */
export interface RunningJobNote {
  id: string;
  queue: string;
  /** Hard deadline (ms since the epoch): the supervisor kills the child there. */
  deadline: number;
  /** The timeout message, e.g. "timed out after 5 s (queue short timeout)". */
  limit: string;
  /** The task and when it started (absent when read back from Redis by a stall lookup). */
  method?: string;
  startedAt?: number;
}

export interface PulseNote {
  type: "pulse";
  /** Every job the child runs now (its whole running set, not a change). */
  running: RunningJobNote[];
  /** Jobs finished since the last pulse. */
  finished: number;
  /** Jobs failed (for good or to be retried) since the last pulse. */
  failed: number;
  /** The child's resident set size, bytes (hs_worker_child_rss_bytes). */
  rss?: number;
  /** Job counters and durations recorded since the last pulse (src/telemetry/job-tally.ts). */
  tally?: TallyDelta;
  /** The ended jobs the supervisor prints a line for, when it asked for lines. */
  ended?: JobEndNote[];
}

export function isChildMessage(value: unknown): value is ChildMessage {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}
