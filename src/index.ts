/** The public API: re-exports only. */
export {
  SchedulerError,
  ERROR_CODES,
  codes,
  HooksError,
  ConfigError,
  TaskResolutionError,
  EnqueueError,
  RedisUnavailableError,
  JobTimeoutError,
  UnrecoverableError,
} from "./base/errors.js";
export type { HooksDefinition, SchedulerEvents, TaskEntry, ScheduledTask } from "./hooks/types.js";
export type { CatchupPolicy } from "./schedule/due.js";
export type { Job, JobStatus, StatusRecord } from "./queue/types.js";
export type { RetryPolicy } from "./config/retry-policy.js";
export { defineHooks } from "./hooks/define.js";
export { enqueue } from "./queue/enqueue.js";
export { enqueueMany } from "./queue/enqueue-many.js";
export type { EnqueueManyItem } from "./queue/enqueue-many.js";
export type { EnqueueOptions, DependencyRef } from "./queue/options.js";
export { transaction } from "./queue/transaction.js";
export { getQueue } from "./queue/queue.js";
export type { QueueHandle, JobHandle } from "./queue/queue.js";
export { getJob, getJobAttempts, getQueueStats, cancel, requeue } from "./queue/registry.js";
export type { QueueCounts } from "./queue/registry.js";
export { configure } from "./queue/context.js";
export type { ConfigureOptions } from "./queue/context.js";
export { currentJob, publishProgress } from "./runtime/job-context.js";
export type { CurrentJob, RunningJob, ProgressInput } from "./runtime/job-context.js";
export type { StatusInput } from "./runtime/status-recorder.js";
// Reference patterns as built-ins (src/patterns).
export { runWithLock, withLock, LockLostError, LockBusyError } from "./patterns/lock.js";
export type { LockOptions, LockResult, LockScope, WithLockOptions } from "./patterns/lock.js";
export { throttle } from "./patterns/throttle.js";
export type { ThrottleOptions } from "./patterns/throttle.js";
export { forEachBatch, keysetSource } from "./patterns/batches.js";
export type { BatchSource, BatchProgress, ForEachBatchOptions, Page } from "./patterns/batches.js";
export { enqueueChunks, openChunkGroup } from "./patterns/chunks.js";
export type { ChunkGroup, ChunkProgress, EnqueueChunksOptions } from "./patterns/chunks.js";
export { publishRealtime, subscribe } from "./patterns/realtime.js";
export type { RealtimeHandler, SubscribeOptions } from "./patterns/realtime.js";
export { webhookNotifier, emailNotifier, WebhookError } from "./patterns/notify.js";
export type { MailTransport, MailMessage, WebhookOptions, EmailNotifierOptions } from "./patterns/notify.js";
export { runFailureHandlers } from "./worker/run-failure-handlers.js";
export type { JobFailure, FailureHandler } from "./worker/run-failure-handlers.js";
export { logError } from "./patterns/log-error.js";
/** The error-code catalog: every `err.code`, its class and meaning (README "Errors"). */
export type { ErrorCode, ErrorCodeEntry } from "./base/errors.js";
