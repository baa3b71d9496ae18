/**
 * Failure handlers in the worker processes: called once per FINAL failure of a job (after its
 * last retry), never for a failed attempt that is retried.
 *
 * Which handlers: the hooks' `job_failure_handlers` (config.failureHandlers), then the job's own
 * `onFailure` (enqueue option, or `on_failure` of a scheduler_events entry). Each is a dotted
 * path resolved through a TaskRegistry (cached per process) and called as
 * `handler({ job, error, attempts, history }, { signal })`, isolated and time-bounded by
 * runFailureHandlers (run-failure-handlers.ts): one that throws, hangs or cannot load is logged and
 * recorded as a `job.failure_handler` event, and the others still run.
 *
 * Exactly once: the fail script hands the final-failure record to exactly one caller
 * (failJobDetailed outcome "failed", or the reaper's `failed` ids), and only that caller notifies.
 * Handlers run after the outcome is recorded and outside the job's slot; `settled()` lets a
 * process wait for them before it exits. A process killed while a handler runs loses that call
 * (at most once past that point): handlers are notifications, not part of the job.
 */
import type { QueueEnv } from "../queue/context.js";
import { setActiveContext } from "../queue/context.js";
import type { TaskRegistry } from "../tasks/task-table.js";
import { failJobDetailed, type FailJobInput, type FinalFailure } from "../queue/lifecycle.js";
import { readFinalFailure } from "../queue/registry.js";
import { runFailureHandlers, type FailureHandler, type FailureHandlersReport } from "./run-failure-handlers.js";
import { processState } from "../base/process-state.js";
import { appendEvent } from "../log/events.js";
import { describeError } from "../base/errors.js";
import type { Logger } from "../log/logger.js";

export interface FailureHandlersOptions {
  env: QueueEnv;
  /** The hooks' job_failure_handlers, read at each failure (a reload may change them). */
  paths(): readonly string[];
  /** The task table handler paths resolve through (the supervisor creates one lazily). */
  tasks(): TaskRegistry;
  log: Logger;
  /** Per handler, ms (default 30 000: runFailureHandlers' default). */
  timeoutMs?: number;
  /** Called when the last running notification settles (the supervisor waits for it to finish). */
  onIdle?(): void;
}

export class FailureHandlers {
  /** Dotted path -> handler; only successful resolutions are kept (a fixed module loads next time). */
  private resolved = new Map<string, FailureHandler>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly o: FailureHandlersOptions) {}

  /** Notifications still running. */
  get pending(): number {
    return this.running.size;
  }

  /** Forget resolved handlers (hooks reload: the next failure resolves them anew). */
  reset(): void {
    this.resolved = new Map();
  }

  /**
   * failJob with notification: records the failed attempt (retry or final failure) and, when it
   * is final, starts the handlers in the background. Returns failJob's outcome.
   */
  async fail(input: FailJobInput, worker = input.worker): Promise<"retry-scheduled" | "failed" | "lease-lost"> {
    const r = await failJobDetailed(this.o.env, input);
    if (r.outcome === "failed") this.notify(r.failure, worker);
    return r.outcome;
  }

  /** Jobs the reaper failed (abandoned past the stall limit): read each final failure, notify. */
  notifyReaped(ids: readonly string[], worker?: string): void {
    for (const id of ids) {
      this.track(
        readFinalFailure(this.o.env, id).then((failure) => {
          if (failure) return this.run(failure, worker).then(() => undefined);
          this.o.log.warn({ jobId: id }, `job ${id} was reaped as failed but its failure record is gone; no failure handlers ran`);
        }),
      );
    }
  }

  /** Start the handlers of one final failure in the background (settled() waits for them). */
  notify(failure: FinalFailure, worker?: string): void {
    this.track(this.run(failure, worker).then(() => undefined));
  }

  /** Wait until every notification started so far has ended (each is time-bounded). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Run the handlers of one final failure now. Never rejects. */
  async run(failure: FinalFailure, worker?: string): Promise<FailureHandlersReport> {
    const paths = handlerPaths(this.o.paths(), failure.job.onFailure);
    if (paths.length === 0) return { ok: 0, failed: [] };
    // Handlers may call enqueue() or logError(): give them this process's queue context when the
    // process has none (the supervisor of `scheduler worker`); a child or the daemon has set it.
    if (!processState().active) setActiveContext(this.o.env);
    const handlers = await Promise.all(paths.map((p) => this.handler(p)));
    const options = this.o.timeoutMs === undefined ? {} : { timeoutMs: this.o.timeoutMs };
    const report = await runFailureHandlers(handlers, failure, this.o.log, options);
    await Promise.all(paths.map((path) => this.record(path, failure, report, worker)));
    return report;
  }

  private async handler(path: string): Promise<FailureHandler> {
    const known = this.resolved.get(path);
    if (known) return known;
    let fn: FailureHandler;
    try {
      const task = await this.o.tasks().resolve(path);
      fn = (failure, scope) => (task as unknown as FailureHandler)(failure, scope);
      this.resolved.set(path, named(path, fn));
    } catch (err) {
      // Reported through the same path as a handler that throws: logged, event, others still run.
      fn = () => {
        throw err;
      };
    }
    return this.resolved.get(path) ?? named(path, fn);
  }

  private async record(path: string, failure: FinalFailure, report: FailureHandlersReport, by: string | undefined): Promise<void> {
    const { job } = failure;
    const worker = by ?? job.worker;
    const failed = report.failed.find((f) => f.handler === path);
    try {
      await appendEvent(this.o.env.redis, this.o.env.keys, {
        type: "job.failure_handler_ran",
        level: failed ? "error" : "info",
        at: this.o.env.clock(),
        msg: failed
          ? `failure handler ${path} failed for job ${job.id} (${job.method}): ${failed.error}`
          : `failure handler ${path} ran for job ${job.id} (${job.method})`,
        jobId: job.id,
        queue: job.queue,
        ...(worker ? { worker } : {}),
        data: { handler: path, ok: !failed, attempts: failure.attempts, ...(failed ? { error: failed.error } : {}) },
      });
    } catch (err) {
      this.o.log.warn({ jobId: job.id, handler: path, err: describeError(err) }, "could not record the failure handler event");
    }
  }

  private track(p: Promise<void>): void {
    const tracked: Promise<void> = p
      .catch((err: unknown) => this.o.log.error({ err: describeError(err) }, `failure handlers: ${describeError(err)}`))
      .finally(() => {
        this.running.delete(tracked);
        if (this.running.size === 0) this.o.onIdle?.();
      });
    this.running.add(tracked);
  }
}

/** The hooks' handlers, then the job's own, each once. */
export function handlerPaths(global: readonly string[], own: string | undefined): string[] {
  const paths = [...global];
  if (own !== undefined && own !== "" && !paths.includes(own)) paths.push(own);
  return [...new Set(paths)];
}

/** runFailureHandlers names a handler by its function name: make it the dotted path. */
function named(path: string, fn: FailureHandler): FailureHandler {
  Object.defineProperty(fn, "name", { value: path });
  return fn;
}
