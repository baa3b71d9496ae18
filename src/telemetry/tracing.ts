/**
 * OpenTelemetry spans through @opentelemetry/api only: without an SDK registered by the user
 * every call here is the API's no-op, and nothing is exported. With one:
 *   enqueue <queue>  PRODUCER, its context stored with the job as a W3C `traceparent` field;
 *   run <task>       CONSUMER, a child of that context (so enqueue -> run is one trace, across
 *                    processes and hosts), linked to it, and on a retry linked to the first run;
 *   fire <task>      INTERNAL, a scheduler slot, parent of the enqueue it makes.
 * Attributes follow the messaging semantic conventions. With no SDK registered, or with
 * SCHEDULER_METRICS=off, the calls are skipped altogether (not even no-op span objects).
 */
import { ProxyTracerProvider, SpanKind, SpanStatusCode, context, trace, type Link, type Span, type SpanContext, type Tracer } from "@opentelemetry/api";
import { METRICS_ON } from "./metrics-switch.js";

export const MESSAGING_SYSTEM = "hooks-scheduler";

let cached: Tracer | undefined;
/** The API's proxy tracer: it follows whatever provider is registered, now or later. */
function tracer(): Tracer {
  return (cached ??= trace.getTracer("hooks-scheduler"));
}

/** The API's no-op provider: what a proxy without a registered SDK delegates to. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Whether spans can be recorded at all: off with SCHEDULER_METRICS=off, and while no SDK is
 * registered (then the hot path skips even the no-op span objects).
 */
export function tracingActive(): boolean {
  if (!METRICS_ON) return false;
  const p = trace.getTracerProvider();
  return !(p instanceof ProxyTracerProvider) || p.getDelegate() !== NOOP_PROVIDER;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** `00-<trace id>-<span id>-<flags>` of a span, or undefined when it has no valid context. */
export function traceparentOf(span: Span | undefined): string | undefined {
  if (!span) return undefined;
  const c = span.spanContext();
  if (!trace.isSpanContextValid(c)) return undefined;
  return `00-${c.traceId}-${c.spanId}-${(c.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

export function parseTraceparent(raw: string | undefined): SpanContext | undefined {
  const m = raw ? TRACEPARENT.exec(raw) : null;
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16), isRemote: true };
}

/** The active span's traceparent (a job collected for after-commit inherits the run's trace). */
export function activeTraceparent(): string | undefined {
  return tracingActive() ? traceparentOf(trace.getActiveSpan()) : undefined;
}

async function inSpan<T>(span: Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(context.active(), span), fn);
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}

/**
 * PRODUCER span around an enqueue; `fn` gets the traceparent to store with the job (undefined
 * without an SDK and without an active trace: nothing is stored).
 */
export async function withEnqueueSpan<T>(queue: string, jobId: string, fn: (traceparent: string | undefined) => Promise<T>): Promise<T> {
  if (!tracingActive()) return fn(undefined);
  const span = tracer().startSpan(`enqueue ${queue}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      "messaging.system": MESSAGING_SYSTEM,
      "messaging.operation.type": "send",
      "messaging.operation.name": "enqueue",
      "messaging.destination.name": queue,
      "messaging.message.id": jobId,
    },
  });
  return inSpan(span, () => fn(traceparentOf(span)));
}

/** INTERNAL span of a scheduler fire: the enqueue it makes (and so the run) is in its trace. */
export async function withFireSpan<T>(task: string, slot: number, fn: () => Promise<T>): Promise<T> {
  if (!tracingActive()) return fn();
  const span = tracer().startSpan(`fire ${task}`, {
    kind: SpanKind.INTERNAL,
    root: true,
    attributes: { "messaging.system": MESSAGING_SYSTEM, "hs.task": task, "hs.slot": new Date(slot).toISOString() },
  });
  return inSpan(span, fn);
}

export interface RunSpanJob {
  id: string;
  queue: string;
  method: string;
  attempt: number;
  traceparent?: string;
  firstRun?: string;
}

/**
 * CONSUMER span around one run of a job. Its outcome decides the status: failed or retried is
 * an error (with the exception, when `noteError` was called with it).
 */
export function withRunSpan<T extends string>(job: RunSpanJob, fn: () => Promise<T>): Promise<T> {
  if (!tracingActive()) return fn();
  return runSpan(job, fn);
}

async function runSpan<T extends string>(job: RunSpanJob, fn: () => Promise<T>): Promise<T> {
  const producer = parseTraceparent(job.traceparent);
  const first = job.attempt > 1 ? parseTraceparent(job.firstRun) : undefined;
  const links: Link[] = [];
  if (producer) links.push({ context: producer });
  if (first) links.push({ context: first, attributes: { "hs.link": "first attempt" } });
  const parent = producer ? trace.setSpanContext(context.active(), producer) : context.active();
  const span = tracer().startSpan(`run ${job.method}`, { kind: SpanKind.CONSUMER, links }, parent);
  // attributes only for a span an SDK records (the no-op one of a user without an SDK drops them)
  if (span.isRecording()) {
    span.setAttributes({
      "messaging.system": MESSAGING_SYSTEM,
      "messaging.operation.type": "process",
      "messaging.operation.name": "run",
      "messaging.destination.name": job.queue,
      "messaging.message.id": job.id,
      "hs.attempt": job.attempt,
    });
  }
  return inSpan(span, async () => {
    const outcome = await fn();
    if (!span.isRecording()) return outcome;
    span.setAttribute("hs.outcome", outcome);
    if (outcome === "failed" || outcome === "retry-scheduled") span.setStatus({ code: SpanStatusCode.ERROR, message: `job ${outcome}` });
    return outcome;
  });
}

/** Record a task's error on the active (run) span. */
export function noteError(err: unknown): void {
  if (!tracingActive()) return;
  const span = trace.getActiveSpan();
  if (!span) return;
  span.recordException(err instanceof Error ? err : new Error(String(err)));
}
