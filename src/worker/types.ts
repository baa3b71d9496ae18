/**
 * Shared vocabulary of the worker side: the logger it is given, the groups a supervisor runs and
 * the timings it watches them with. What passes between a supervisor and its children is in
 * protocol.ts.
 */

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
  /** How often the supervisor extends the leases of running jobs and refreshes the worker records. */
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
