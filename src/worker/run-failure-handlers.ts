/**
 * The failure-handler engine: calls the handlers of one final job failure (after the last retry)
 * at once, each isolated and time-bounded, so a broken or slow notifier is logged and never
 * blocks the worker or the other handlers. The worker processes call it through
 * FailureHandlers (failure-handlers.ts), which picks the handlers; ready-made handlers
 * (webhook, email) are user-facing helpers in src/patterns/notify.ts.
 */
import type { Job, SerializedError } from "../queue/types.js";
import { SchedulerError, describeError } from "../base/errors.js";
import type { Logger } from "../log/logger.js";

export interface JobFailure {
  job: Job;
  error: SerializedError | Error;
  /** Attempts made, the failing one included. */
  attempts: number;
}

/** `signal` aborts when runFailureHandlers stops waiting (timeout); pass it to fetch/IO. */
export type FailureHandler = (failure: JobFailure, scope?: { signal: AbortSignal }) => unknown;

/** The one Logger (src/log/logger.ts), trimmed to what we call. */
export type FailureLogger = Pick<Logger, "error">;

export interface RunFailureHandlersOptions {
  /** Per handler, ms; past it the handler is abandoned (its signal aborts). Default 30 000. */
  timeoutMs?: number;
}

export interface FailureHandlersReport {
  ok: number;
  failed: Array<{ handler: string; error: string }>;
}

/** Call every handler at once, each isolated and bounded; resolves when all ended or timed out. Never rejects. */
export async function runFailureHandlers(
  handlers: readonly FailureHandler[],
  failure: JobFailure,
  logger: FailureLogger,
  options: RunFailureHandlersOptions = {},
): Promise<FailureHandlersReport> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const report: FailureHandlersReport = { ok: 0, failed: [] };
  await Promise.all(
    handlers.map(async (handler, i) => {
      const name = handler.name || `handler #${i + 1}`;
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const err = new SchedulerError("HANDLER_TIMEOUT", `failure handler ${name} did not finish within ${timeoutMs} ms`);
          controller.abort(err);
          reject(err);
        }, timeoutMs);
      });
      try {
        await Promise.race([Promise.resolve().then(() => handler(failure, { signal: controller.signal })), timeout]);
        report.ok += 1;
      } catch (err) {
        report.failed.push({ handler: name, error: describeError(err) });
        logger.error(
          { err, handler: name, jobId: failure.job.id, queue: failure.job.queue, method: failure.job.method },
          `failure handler ${name} failed for job ${failure.job.id}: ${describeError(err)}`,
        );
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return report;
}
