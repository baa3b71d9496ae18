/** What the supervisor (supervisor.ts) is given and keeps per group and slot. */
import type { Clock } from "../base/clock.js";
import type { ResolvedConfig } from "../config/types.js";
import type { ChildHandle } from "./child-handle.js";
import type { JobLinesMode } from "./job-lines.js";
import type { WorkerInfo } from "./registry.js";
import type { RestartPolicy, RestartPolicyOptions } from "./restart-policy.js";
import type { WorkerGroupSpec, WorkerTimings } from "./types.js";
import type { Logger } from "../log/logger.js";

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
  /** Module forked for each child (default dist/worker/child.js). */
  childModule?: URL | string;
  /** A line per ended job on the logger: every job, failures only, or none (default none). */
  jobLines?: JobLinesMode;
}

/** One place in a group: the child in it now, or a restart waiting for its backoff. */
export interface Slot {
  group: GroupState;
  index: number;
  child: ChildHandle | undefined;
  info: WorkerInfo | undefined;
  restartTimer: NodeJS.Timeout | undefined;
  /** A child replaced by reload(): it finishes its running jobs, then exits; never restarted. */
  retiring?: boolean;
}

export interface GroupState {
  spec: WorkerGroupSpec;
  policy: RestartPolicy;
  slots: Slot[];
  gaveUp: boolean;
}
