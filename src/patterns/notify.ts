/**
 * Failure notification: handlers called once per final job failure (after the last retry).
 *
 * The reference wraps each task in a decorator that logs, mails and re-raises, so every task
 * must remember the decorator and a mail outage turns into a second exception inside the
 * failing job. Here handlers are configured once (`job_failure_handlers` in hooks, per-task
 * `on_failure`), the worker calls `runFailureHandlers` (src/worker/run-failure-handlers.ts) after the
 * job is recorded as failed, and each handler runs isolated and time-bounded: a broken or slow
 * notifier is logged and never blocks the worker or the other handlers. This file holds the
 * ready-made handlers.
 */
import type { SerializedError } from "../queue/types.js";
import { SchedulerError, describeError } from "../base/errors.js";
import type { FailureHandler, JobFailure } from "../worker/run-failure-handlers.js";
import { systemClock, type Clock } from "../base/clock.js";
import { EnqueueError } from "../base/errors.js";
import { redact } from "../security/redact.js";
import { redactKeys, redactMessage } from "../security/redact-config.js";

function serializeError(error: SerializedError | Error): SerializedError {
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(error.stack ? { stack: error.stack } : {}),
    ...(typeof code === "string" ? { code } : {}),
  };
}

/** The JSON a webhook receives (and the fields an email shows). */
export function failurePayload(failure: JobFailure, at: number, redactList: readonly string[] = redactKeys()) {
  const { job } = failure;
  const error = serializeError(failure.error);
  return {
    event: "job.failed",
    at,
    job: {
      id: job.id,
      method: job.method,
      queue: job.queue,
      jobName: job.jobName,
      task: job.task,
      // Secrets masked (hooks `redact`): alerts go to chat rooms and inboxes.
      kwargs: redact(job.kwargs, redactList),
      createdAt: job.createdAt,
      startedAt: job.startedAt,
      endedAt: job.endedAt,
    },
    error: { ...error, message: redactMessage(error.message), ...(error.stack ? { stack: redactMessage(error.stack) } : {}) },
    attempts: failure.attempts,
  };
}

export interface WebhookOptions {
  url: string;
  /** Per request, ms. Default 5 000. */
  timeoutMs?: number;
  /** Extra tries after the first, on network errors, timeouts, 429 and 5xx. Default 3. */
  retries?: number;
  /** First retry delay, ms; doubles each retry. Default 500. */
  backoffMs?: number;
  headers?: Record<string, string>;
  /** Injected in tests; defaults to the global fetch and setTimeout. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  clock?: Clock;
  /** Keys masked in the payload (default: hooks `redact`, else the default list). */
  redact?: readonly string[];
}

/** Why a webhook gave up (after its retries, or at once on a 4xx that a retry cannot fix). */
export class WebhookError extends SchedulerError {
  constructor(url: string, detail: string) {
    super("WEBHOOK_FAILED", `webhook ${redactMessage(url)}: ${detail}`);
  }
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A failure handler that POSTs failurePayload() as JSON to `url`. */
export function webhookNotifier(options: WebhookOptions): FailureHandler {
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new EnqueueError("BAD_ARGUMENT", `webhookNotifier: url is not a valid URL: ${JSON.stringify(options.url)}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new EnqueueError("BAD_ARGUMENT", `webhookNotifier: url must be http(s), got ${parsed.protocol}`);
  }
  const url = parsed.toString();
  const timeoutMs = options.timeoutMs ?? 5_000;
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 500;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? realSleep;
  const clock = options.clock ?? systemClock;

  return async function webhook(failure, scope) {
    const body = JSON.stringify(failurePayload(failure, clock(), options.redact ?? redactKeys()));
    let last = "";
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1));
      scope?.signal.throwIfAborted();
      const signal = scope ? AbortSignal.any([scope.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
      try {
        const res = await doFetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...options.headers },
          body,
          signal,
        });
        await res.arrayBuffer().catch(() => undefined); // drain, so the connection is reused
        if (res.ok) return;
        last = `HTTP ${res.status}`;
        if (res.status < 500 && res.status !== 429) throw new WebhookError(url, `${last} (not retried)`);
      } catch (err) {
        if (err instanceof WebhookError) throw err;
        scope?.signal.throwIfAborted();
        last = describeError(err);
      }
    }
    throw new WebhookError(url, `gave up after ${retries + 1} tries: ${last}`);
  };
}

/** Anything with nodemailer's sendMail (a nodemailer transport, or your own). */
export interface MailTransport {
  sendMail(message: MailMessage): Promise<unknown>;
}

export interface MailMessage {
  from: string;
  to: string | string[];
  subject: string;
  text: string;
}

export interface EmailNotifierOptions {
  transport: MailTransport;
  from: string;
  to: string | string[];
  /** Default: "Job failed: <method>". */
  subject?: (failure: JobFailure) => string;
  clock?: Clock;
  /** Keys masked in the mail (default: hooks `redact`, else the default list). */
  redact?: readonly string[];
}

/** A failure handler that mails the admin, as the reference's decorator does. */
export function emailNotifier(options: EmailNotifierOptions): FailureHandler {
  if (!options.transport || typeof options.transport.sendMail !== "function") {
    throw new EnqueueError("BAD_ARGUMENT", "emailNotifier: transport must have a sendMail(message) method (e.g. nodemailer.createTransport(...))");
  }
  return async function email(failure) {
    const p = failurePayload(failure, (options.clock ?? systemClock)(), options.redact ?? redactKeys());
    const text = [
      `Job ${p.job.id} (${p.job.method}) failed on queue "${p.job.queue}" after ${p.attempts} attempt(s).`,
      "",
      `Error: ${p.error.name}: ${p.error.message}`,
      "",
      `Kwargs: ${JSON.stringify(p.job.kwargs, null, 2)}`,
      ...(p.error.stack ? ["", p.error.stack] : []),
    ].join("\n");
    await options.transport.sendMail({
      from: options.from,
      to: options.to,
      subject: options.subject ? options.subject(failure) : `Job failed: ${p.job.method}`,
      text,
    });
  };
}
