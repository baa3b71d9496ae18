/**
 * Traces, captured with the OTel SDK's in-memory exporter: enqueue -> run in one trace for an
 * enqueued job, a scheduled job (under its fire span), a retried job (the retry linked to the
 * first run) and a job enqueued from inside another job. The real enqueue, scripts and runJob
 * run here against Redis; the traceparent travels through the job hash as between processes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { enqueue, enqueueWith } from "../../src/queue/enqueue.js";
import { enqueueScheduled } from "../../src/queue/enqueue-scheduled.js";
import { dequeue } from "../../src/queue/lifecycle.js";
import { runJob, type RunJobDeps } from "../../src/worker/child/run-job.js";
import { PulseJournal } from "../../src/worker/child/pulse-journal.js";
import { queueFixture, type QueueFixture } from "../queue/helpers.js";

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let f: QueueFixture;
let deps: RunJobDeps;
let flaky = 0;
const Q = "my_custom_queue";

beforeAll(async () => {
  provider.register();
  f = await queueFixture("http-tracing", {
    "app.tasks.ok": () => "ok",
    "app.tasks.flaky": () => {
      flaky += 1;
      if (flaky === 1) throw new Error("first attempt fails");
      return "second works";
    },
    "app.tasks.parent": async () => {
      await enqueue("app.tasks.ok", { queue: Q });
    },
  });
  deps = {
    env: f.env,
    tasks: f.env.tasks!,
    worker: "tracing-w",
    journal: new PulseJournal(),
    onLoadError: (m, err) => {
      throw err;
    },
    onRecordError: (_j, err) => {
      throw err;
    },
    shutdownSignal: new AbortController().signal,
  };
});

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  await f.t.cleanup();
});

beforeEach(() => exporter.reset());

/** Take and run every queued job of Q, in order, as a worker would. */
async function drain(): Promise<number> {
  let n = 0;
  for (;;) {
    const job = await dequeue(f.env, { queues: [Q], worker: deps.worker, leaseMs: 60_000 });
    if (!job) return n;
    await runJob(deps, job);
    n++;
  }
}

const spans = () => exporter.getFinishedSpans();
const named = (prefix: string) => spans().filter((s) => s.name.startsWith(prefix));
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe("OpenTelemetry spans", () => {
  it("an enqueued job: PRODUCER enqueue -> CONSUMER run in one trace, messaging attributes", async () => {
    const job = (await enqueueWith(f.env, "app.tasks.ok", { queue: Q })) as { id: string };
    expect(await drain()).toBe(1);
    const [producer] = named("enqueue ");
    const [run] = named("run ");
    expect(producer!.name).toBe(`enqueue ${Q}`);
    expect(producer!.kind).toBe(SpanKind.PRODUCER);
    expect(run!.name).toBe("run app.tasks.ok");
    expect(run!.kind).toBe(SpanKind.CONSUMER);
    expect(run!.spanContext().traceId).toBe(producer!.spanContext().traceId);
    expect(parentOf(run!)).toBe(producer!.spanContext().spanId);
    expect(run!.links.map((l) => l.context.spanId)).toContain(producer!.spanContext().spanId);
    for (const s of [producer!, run!]) {
      expect(s.attributes["messaging.system"]).toBe("hooks-scheduler");
      expect(s.attributes["messaging.destination.name"]).toBe(Q);
      expect(s.attributes["messaging.message.id"]).toBe(job.id);
    }
    expect(producer!.attributes["messaging.operation.type"]).toBe("send");
    expect(run!.attributes["messaging.operation.type"]).toBe("process");
    expect(run!.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it("a scheduled job: fire -> enqueue -> run in one trace", async () => {
    const r = await enqueueScheduled(f.env, { task: "cron:*/5:app.tasks.ok", slot: f.env.clock(), method: "app.tasks.ok", queue: Q, kwargs: {}, catchup: false });
    expect(r.outcome).toBe("enqueued");
    await drain();
    const [fire] = named("fire ");
    const [producer] = named("enqueue ");
    const [run] = named("run ");
    expect(fire!.name).toBe("fire cron:*/5:app.tasks.ok");
    expect(parentOf(producer!)).toBe(fire!.spanContext().spanId);
    expect(parentOf(run!)).toBe(producer!.spanContext().spanId);
    expect(new Set([fire, producer, run].map((s) => s!.spanContext().traceId)).size).toBe(1);
  });

  it("a retried job: each run is a new span in the trace, the retry linked to the first run", async () => {
    await enqueueWith(f.env, "app.tasks.flaky", { queue: Q, retry: { max: 1, delay: 0 } });
    expect(await drain()).toBe(2);
    const [producer] = named("enqueue ");
    const runs = named("run ").sort((a, b) => Number(a.attributes["hs.attempt"]) - Number(b.attributes["hs.attempt"]));
    expect(runs).toHaveLength(2);
    const [first, retry] = runs as [ReadableSpan, ReadableSpan];
    expect(first.status.code).toBe(SpanStatusCode.ERROR);
    expect(first.events.some((e) => e.name === "exception")).toBe(true);
    expect(retry.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(retry.spanContext().spanId).not.toBe(first.spanContext().spanId);
    expect(retry.spanContext().traceId).toBe(producer!.spanContext().traceId);
    expect(retry.links.map((l) => l.context.spanId)).toContain(first.spanContext().spanId);
  });

  it("a job enqueued from inside another job continues that job's trace", async () => {
    await enqueueWith(f.env, "app.tasks.parent", { queue: Q });
    expect(await drain()).toBe(2);
    const producers = named("enqueue ");
    const parentRun = named("run app.tasks.parent")[0]!;
    const childRun = named("run app.tasks.ok")[0]!;
    const inner = producers.find((p) => parentOf(p) === parentRun.spanContext().spanId)!;
    expect(inner).toBeDefined();
    expect(parentOf(childRun)).toBe(inner.spanContext().spanId);
    expect(new Set([...producers, parentRun, childRun].map((s) => s.spanContext().traceId)).size).toBe(1);
  });
});
