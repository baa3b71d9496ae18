/**
 * Frappe's log_error: `logError(title, err)` records an entry in the events stream (type
 * "log.error", level "error"), so `scheduler logs --level error` shows it from any machine,
 * with the job id when called inside a job.
 *
 * Logging must not become a second failure: when Redis is unreachable or no context is set,
 * the entry goes to stderr instead and the promise resolves to false (it never rejects).
 */
import { describeError } from "../base/errors.js";
import { appendEvent, type SchedulerEvent } from "../log/events.js";
import { currentJob } from "../runtime/job-context.js";
import { maybePatternContext, type RedisTarget } from "./context.js";

function errorFields(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, stack: err.stack, ...(typeof code === "string" ? { code } : {}) };
  }
  return { message: describeError(err) };
}

/** Record `err` under `title`; resolves true when it reached the events stream. */
export async function logError(title: string, err?: unknown, target: RedisTarget = {}): Promise<boolean> {
  const job = currentJob();
  const details = err === undefined ? {} : errorFields(err);
  const msg = err === undefined ? title : `${title}: ${describeError(err)}`;
  const ctx = maybePatternContext(target);
  if (ctx) {
    const event: SchedulerEvent = {
      type: "log.error",
      level: "error",
      at: ctx.clock(),
      msg,
      ...(job ? { jobId: job.id, queue: job.queue } : {}),
      data: { title, ...details },
    };
    try {
      await appendEvent(ctx.redis, ctx.keys, event);
      return true;
    } catch (redisErr) {
      process.stderr.write(`logError: could not record in Redis (${describeError(redisErr)}): ${msg}\n`);
      return false;
    }
  }
  process.stderr.write(`logError (no Redis context): ${msg}${job ? ` [job ${job.id}]` : ""}\n`);
  return false;
}
