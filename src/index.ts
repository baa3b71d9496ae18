/** The public API: re-exports only. */
export {
  SchedulerError,
  HooksError,
  ConfigError,
  TaskResolutionError,
  EnqueueError,
  RedisUnavailableError,
  JobTimeoutError,
  UnrecoverableError,
} from "./errors.js";
export type { HooksDefinition, SchedulerEvents, TaskEntry, CatchupPolicy, ScheduledTask } from "./hooks/types.js";
export type { Job, JobStatus, RetryPolicy } from "./queue/types.js";
export { defineHooks } from "./hooks/define.js";
