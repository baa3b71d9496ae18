/**
 * What passes between a supervisor and its child processes, and nothing else: the messages each
 * side sends over the IPC channel, the pulse format and rhythm, the exit codes a child ends with.
 *
 * The hot path stays in the child (it dequeues and completes by itself); the notes only tell the
 * supervisor enough to watch: which jobs run with which deadlines, as pulses (the child's
 * child/pulse-journal.ts makes them, the supervisor's supervisor/child-handle.ts reads them),
 * never a note per job.
 */
import type { ResolvedConfig } from "../config/types.js";
import type { TallyDelta } from "../telemetry/job-tally.js";
import type { Strategy } from "./types.js";

/** Longest a change of the running set waits before the supervisor hears of it. */
export const PULSE_MS = 50;
/** Longest silence of a healthy child: a pulse goes out at least this often. */
export const IDLE_PULSE_MS = 250;

/** Exit codes the supervisor reads. */
export const CHILD_EXIT = { ok: 0, orphaned: 3, fatal: 70 } as const;

/** How a job run ended in the child, as its pulse counts it. */
export type JobOutcome = "finished" | "failed" | "retry-scheduled" | "lease-lost" | "requeued" | "canceled" | "unrecorded";

/** Which ended jobs get a line: every one, the ones that did not finish, or none. */
export type JobLinesMode = "all" | "failures" | "none";

export const JOB_LINES_MODES: readonly JobLinesMode[] = ["all", "failures", "none"];

export type JobEndOutcome = Exclude<JobOutcome, "failed" | "retry-scheduled"> | "failed" | "retry-scheduled" | "timed-out" | "timed-out-retry";

export interface JobEndNote {
  id: string;
  queue: string;
  method: string;
  attempt: number;
  /** When it ended (ms since the epoch) and how long it ran. */
  at: number;
  ms: number;
  outcome: JobEndOutcome;
  /** First line of the error, for the outcomes that have one. */
  error?: string;
  /** The stack frames of the app's own code (no Node internals, no node_modules, not ours). */
  frames?: string[];
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
  /** Someone canceled this running job: abort its signal with a JobCanceledError (cancel-relay.ts). */
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
  /** The jobs running now and the outcomes since the last pulse (pulse-journal.ts). */
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
  /** The task and when it started (absent when read back from Redis by a silence lookup). */
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
  /** Job counters and durations recorded since the last pulse (src/http/metrics/job-tally.ts). */
  tally?: TallyDelta;
  /** The ended jobs the supervisor prints a line for, when it asked for lines (finished ones: finishedLines). */
  ended?: JobEndNote[];
  /**
   * The finished jobs it prints a line for, FINISHED_LINE_WIDTH values each (id, queue, task,
   * attempt, ms) in one flat list: a few values per job to encode and parse, not an object.
   */
  finishedLines?: Array<string | number>;
}

/** Values per finished job in PulseNote.finishedLines. */
export const FINISHED_LINE_WIDTH = 5;

export function isChildMessage(value: unknown): value is ChildMessage {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}
