/**
 * The event-type catalog: every `type` written to the events stream (src/log/events.ts), who
 * writes it, the fields it carries beside type/level/at/msg, and what it means. Names are
 * dotted lowercase `noun.verb_past` (`job.cancel_requested`); `worker.up`/`worker.down`,
 * `child.unstable`, `job.progress`, `job.status` and the log records `log`/`log.error` name a
 * state or a record, not a change. docs/events.md is generated from this table
 * (scripts/contract-docs.ts) and test/contracts checks every type the .lua scripts emit is in it.
 */

export interface EventTypeEntry {
  /** The file(s) that write it (.lua: the job scripts, through job_lib's emit). */
  readonly emitter: string;
  /** Fields besides type, level, at and msg; `data.x` is inside `data`. */
  readonly fields: readonly string[];
  readonly meaning: string;
}

export const EVENT_TYPES = {
  "job.enqueued": { emitter: "enqueue_lib.lua", fields: ["jobId", "queue", "task", "data.status", "data.waitingOn"], meaning: "a job was written (queued, scheduled or deferred)" },
  "job.started": { emitter: "dequeue_lib.lua", fields: ["jobId", "queue", "worker", "task"], meaning: "a worker dequeued a job and holds its lease" },
  "job.progress": { emitter: "progress.lua", fields: ["jobId", "queue", "data.percent", "data.title", "data.description"], meaning: "a running job published progress" },
  "job.status": { emitter: "status.lua", fields: ["jobId", "queue", "task", "data (the status record)"], meaning: "a running job recorded its status (setStatus with an event)" },
  "job.finished": { emitter: "complete_lib.lua", fields: ["jobId", "queue", "worker", "task"], meaning: "a job's task returned" },
  "job.retry_scheduled": { emitter: "fail.lua", fields: ["jobId", "queue", "worker", "task", "data.retryAt", "data.attempt"], meaning: "an attempt failed and the job waits for its retry" },
  "job.failed": { emitter: "fail.lua", fields: ["jobId", "queue", "worker", "task", "data.attempt", "data.error"], meaning: "a job failed for good (no retry left, or unrecoverable)" },
  "job.timed_out": { emitter: "worker/child-exit.ts", fields: ["jobId", "queue", "worker", "data.result"], meaning: "a job ran past its timeout; its child was killed" },
  "job.stalled": { emitter: "reap.lua", fields: ["jobId", "queue", "worker", "task"], meaning: "a started job's lease lapsed; it was requeued" },
  "job.abandoned": { emitter: "reap.lua", fields: ["jobId", "queue", "worker", "task", "data.stalls"], meaning: "a stalled job passed the stall limit and failed" },
  "job.requeued": { emitter: "requeue.lua, requeue_job.lua", fields: ["jobId", "queue", "worker"], meaning: "a job was given back to queued (by an operator, or by its worker at shutdown)" },
  "job.cancel_requested": { emitter: "cancel.lua", fields: ["jobId", "queue", "worker", "task"], meaning: "cancel of a running job: its worker stops it" },
  "job.canceled": { emitter: "cancel.lua, cancel_started.lua, dequeue_lib.lua, deps_lib.lua", fields: ["jobId", "queue", "worker", "task", "data.root"], meaning: "a job was canceled (by request, or because a job it depends on failed)" },
  "job.undeferred": { emitter: "deps_lib.lua", fields: ["jobId", "queue", "task"], meaning: "a deferred job's dependencies settled; it is queued or scheduled" },
  "job.cascade_bounded": { emitter: "deps_lib.lua", fields: ["jobId"], meaning: "one step settled as many dependents as it may; cleanRegistries settles the rest" },
  "job.rejected": { emitter: "complete.lua, follow_up_enqueue.lua, worker/run-job.ts", fields: ["jobId", "queue", "worker", "data.parentId", "data.reason"], meaning: "a job was refused: a follow-up whose id or dependency is not usable, or a job whose signature is wrong" },
  "job.skipped": { emitter: "schedule_guard_lib.lua, scheduler/ledger.ts", fields: ["jobId", "task", "data.slot", "data.reason", "data.count"], meaning: "a schedule's slot was not enqueued (overlap, paused, disabled, outside the catch-up window)" },
  "job.deleted": { emitter: "delete_job.lua", fields: ["jobId", "queue"], meaning: "a job was deleted" },
  "job.failure_handler_ran": { emitter: "worker/failure-handlers.ts", fields: ["jobId", "queue", "worker", "data.handler", "data.ok", "data.attempts", "data.error"], meaning: "a failure handler ran for a failed job (data.ok says whether it succeeded)" },
  "queue.emptied": { emitter: "empty_queue.lua", fields: ["queue"], meaning: "every queued job of a queue was deleted" },
  "queue.purged": { emitter: "purge.lua", fields: ["queue", "task"], meaning: "jobs of one state (and task) were deleted from a queue" },
  "worker.up": { emitter: "worker/supervisor.ts", fields: ["worker"], meaning: "a worker child process is up and dequeuing" },
  "worker.down": { emitter: "worker/child-exit.ts", fields: ["worker", "data.requeued", "data.failed"], meaning: "a worker child stopped, was killed or died" },
  "child.restarted": { emitter: "worker/child-exit.ts", fields: ["worker", "data.reason", "data.delayMs", "data.unstable"], meaning: "a worker child is replaced (after a timeout, a cancel, a crash)" },
  "child.unstable": { emitter: "worker/child-exit.ts", fields: ["worker", "data.group", "data.lastError"], meaning: "a worker group's children keep crashing; restarts back off" },
  "task.load_failed": { emitter: "worker/supervisor.ts", fields: ["worker", "data.module"], meaning: "a task module failed to load in a worker child" },
  "leader.acquired": { emitter: "scheduler/leader.ts", fields: ["data.leader"], meaning: "this scheduler took the leader lease" },
  "leader.lost": { emitter: "scheduler/leader.ts", fields: ["data.leader"], meaning: "this scheduler lost or gave up the leader lease" },
  "scheduler.paused": { emitter: "scheduler/switches.ts", fields: ["data.by"], meaning: "the scheduler was paused (no slots enqueued)" },
  "scheduler.resumed": { emitter: "scheduler/switches.ts", fields: ["data.by"], meaning: "the scheduler was resumed" },
  "scheduler.disabled": { emitter: "scheduler/switches.ts", fields: ["data.by"], meaning: "the scheduler was disabled (slots skipped, not caught up)" },
  "scheduler.enabled": { emitter: "scheduler/switches.ts", fields: ["data.by"], meaning: "the scheduler was enabled" },
  "scheduler.reloaded": { emitter: "daemon/reload-announce.ts", fields: ["data (the reload reply)"], meaning: "a daemon reloaded its hooks file" },
  "scheduler.reload_failed": { emitter: "daemon/reload-announce.ts", fields: ["data (the reload reply)"], meaning: "a reload was refused; the previous hooks keep running" },
  "schedule.paused": { emitter: "scheduler/schedule-pause.ts, schedule_outcome_lib.lua", fields: ["jobId", "task", "data.by", "data.note", "data.cause", "data.failStreak"], meaning: "one schedule was paused (by an operator, or after repeated failures)" },
  "schedule.resumed": { emitter: "scheduler/schedule-pause.ts", fields: ["task", "data.by"], meaning: "one schedule was resumed" },
  "schedule.deadline_missed": { emitter: "scheduler/deadlines.ts", fields: ["task", "data.slot", "data.dueBy"], meaning: "a slot's run had not finished by the schedule's deadline" },
  log: { emitter: "log/event-sink.ts", fields: ["jobId", "queue", "task", "worker", "data"], meaning: "a log record of the daemon or a job, mirrored into the stream" },
  "log.error": { emitter: "patterns/log-error.ts", fields: ["jobId", "queue", "data.title", "data (the error's fields)"], meaning: "logError(title, err) from app code" },
} as const satisfies Record<string, EventTypeEntry>;

export type EventType = keyof typeof EVENT_TYPES;

/**
 * Types renamed to the one naming style, old -> new. Writers write the new name; readers (the
 * `logs --event` filter, GET /api/events?type=, the console's Live page) match either name
 * against either, so a filter and the stream's older entries keep working for one release.
 */
export const RENAMED_EVENT_TYPES: Readonly<Record<string, EventType>> = {
  "job.cascade-bounded": "job.cascade_bounded",
  "jobs.purged": "queue.purged",
  "job.retry": "job.retry_scheduled",
  "job.timeout": "job.timed_out",
  "child.restart": "child.restarted",
  "job.failure_handler": "job.failure_handler_ran",
};

/** The current name of a type (itself unless it was renamed). */
export function currentEventType(type: string): string {
  return RENAMED_EVENT_TYPES[type] ?? type;
}
