/** What the supervisor (supervisor.ts) is given, and the timings it derives from it. */
import type { Clock } from "../../base/clock.js";
import type { ResolvedConfig } from "../../config/types.js";
import type { ChildInit, JobLinesMode } from "../protocol.js";
import { DEFAULT_SILENCE_MS } from "./child-handle.js";
import type { RestartPolicyOptions } from "./restart-policy.js";
import type { WorkerGroupSpec, WorkerTimings } from "../types.js";
import type { Logger } from "../../log/logger.js";

export const DEFAULT_TIMINGS: WorkerTimings = {
  heartbeatMs: 2000,
  leaseMs: 6000,
  reapMs: 2000,
  unstableMs: 1000,
  blockSeconds: 1,
};

export interface SupervisorOptions {
  config: ResolvedConfig;
  redisUrl: string;
  groups: WorkerGroupSpec[];
  /** Children exit once the queues are empty; the supervisor then ends with 0. */
  burst?: boolean;
  /** How long a graceful stop waits for running jobs; default: the longest timeout of the queues served. */
  graceMs?: number;
  /** Also move due delayed jobs and retries to their queues (when no scheduler daemon runs). */
  promote?: boolean;
  /** Times a job may be found abandoned and requeued before it fails (default 1). */
  stallLimit?: number;
  /** Dotted paths each child loads before taking jobs (the hooks' scheduled tasks). */
  preload?: string[];
  logger?: Logger;
  clock?: Clock;
  timings?: Partial<WorkerTimings>;
  restartPolicy?: Partial<RestartPolicyOptions>;
  /** Stop on SIGTERM/SIGINT (first: graceful, second: forced). */
  handleSignals?: boolean;
  /** How long a forced stop lets tasks see their aborted signal before SIGKILL (default 500 ms). */
  abortMs?: number;
  /** Module forked for each child (default dist/worker/child/main.js). */
  childModule?: URL | string;
  /** A line per ended job on the logger: every job, failures only, or none (default none). */
  jobLines?: JobLinesMode;
}

/**
 * Silence after which a child counts as silent and its leases are read from Redis: well before
 * its leases lapse (the heartbeat extends only jobs the supervisor knows of).
 */
export function silenceMs(timings: WorkerTimings): number {
  return Math.min(DEFAULT_SILENCE_MS, Math.round(timings.leaseMs / 3));
}

/** How long a worker record lives without a refresh. */
export function recordTtlMs(timings: WorkerTimings): number {
  return Math.max(3 * timings.heartbeatMs, timings.leaseMs);
}

/** Grace for a stop: the option, else the longest timeout among the queues served. */
export function graceMsOf(options: SupervisorOptions): number {
  if (options.graceMs !== undefined) return options.graceMs;
  const served = new Set(options.groups.flatMap((g) => g.queues));
  const longest = Math.max(0, ...[...served].map((q) => options.config.queues[q]?.timeout ?? 0));
  return (longest || 300) * 1000;
}

/** The init message of a new child of group `spec`, named `worker`. */
export function childInit(options: SupervisorOptions, timings: WorkerTimings, spec: WorkerGroupSpec, worker: string, jobLines: JobLinesMode | undefined): ChildInit {
  return {
    type: "init",
    worker,
    config: options.config,
    redisUrl: options.redisUrl,
    queues: spec.queues,
    strategy: spec.strategy,
    concurrency: spec.concurrency,
    leaseMs: timings.leaseMs,
    blockSeconds: timings.blockSeconds,
    burst: !!options.burst,
    preload: options.preload ?? [],
    ...(jobLines ? { jobLines } : {}),
  };
}
