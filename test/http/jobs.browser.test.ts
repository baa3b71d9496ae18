// The Jobs pages in Chromium against a real daemon: a failed job is found by searching its
// kwargs, opened, retried from the page and seen finishing; a running job is canceled from
// its page; a job id holding markup and an ANSI escape is shown as text, never run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueWith } from "../../src/queue/enqueue.js";
import type { QueueEnv } from "../../src/queue/context.js";
import type { Job } from "../../src/queue/types.js";
import { redact } from "../../src/security/redact.js";
import { trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { waitFor } from "../helpers/redis.js";
import { jobHash } from "../helpers/job-reads.js";
import { startHarness, daemonReady, type Harness } from "./harness.js";

describe("console jobs", () => {
  let h: Harness;
  let env: QueueEnv;
  beforeAll(async () => {
    h = await startHarness("console-jobs");
    await daemonReady(h);
    env = h.env;
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  const statusOf = async (id: string) => (await jobHash(h.t, id)).status ?? null;

  it("job detail shows the trace id of a job enqueued with tracing on, and none without", async () => {
    // Tracing on in this process only for the enqueue (as an app with an OTel SDK registered).
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register();
    let traced: Job;
    let producer;
    try {
      traced = (await enqueueWith(env, "app.tasks.quick", { queue: "default" })) as Job;
      // read before shutdown: the in-memory exporter forgets its spans when shut down
      [producer] = exporter.getFinishedSpans().filter((s) => s.name.startsWith("enqueue "));
    } finally {
      await provider.shutdown();
      trace.disable();
    }
    const traceId = producer!.spanContext().traceId;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const plain = (await enqueueWith(env, "app.tasks.quick", { queue: "default" })) as Job;

    const api = async (id: string) => (await (await fetch(`${h.server.url}/api/jobs/${id}`)).json()) as { traceId?: string; job: { id: string } };
    expect((await api(traced.id)).traceId).toBe(traceId);
    expect((await api(plain.id)).traceId).toBeUndefined();

    const page = await h.open(`/jobs/${traced.id}`);
    await expect.poll(() => page.getByTestId("trace-id").textContent(), { timeout: 10_000 }).toBe(traceId);
    await page.goto(`/jobs/${plain.id}`);
    await expect.poll(() => page.getByTestId("job-id").textContent(), { timeout: 10_000 }).toBe(plain.id);
    expect(await page.getByTestId("trace-id").count()).toBe(0);
    await page.close();
    expect(h.errors).toEqual([]);
  });

  it("finds a failed job by text in its kwargs, opens it, retries it and sees it finish", async () => {
    const job = (await enqueueWith(env, "app.tasks.flaky", { queue: "default", kwargs: { customer: "acme-7781", password: "hunter2" } })) as Job;
    await waitFor(async () => (await statusOf(job.id)) === "failed", 30_000, 50);

    const page = await h.open("/jobs");
    await page.getByLabel("state").selectOption("failed");
    await page.getByLabel("text in kwargs").fill("acme-7781");
    await page.getByRole("button", { name: "Search" }).click();
    await expect.poll(() => page.getByTestId("searched").textContent(), { timeout: 10_000 }).toMatch(/searched \d+ of \d+/);
    const link = page.getByRole("link", { name: job.id });
    await expect.poll(() => link.count(), { timeout: 10_000 }).toBe(1);
    await link.click();

    await expect.poll(() => page.getByTestId("job-status").textContent(), { timeout: 10_000 }).toBe("failed");
    const kwargs = await page.getByTestId("kwargs").textContent();
    expect(kwargs).toContain("acme-7781");
    expect(kwargs).toContain(redact({ password: "x" }).password);
    expect(kwargs).not.toContain("hunter2");

    await page.getByTestId("retry").click();
    await expect.poll(() => page.getByTestId("job-status").textContent(), { timeout: 30_000 }).toBe("finished");
    expect(await statusOf(job.id)).toBe("finished");
    await page.close();
    expect(h.errors).toEqual([]);
  });

  it("cancels a running job from its page", async () => {
    const job = (await enqueueWith(env, "app.tasks.slow", { queue: "default" })) as Job;
    await waitFor(async () => (await statusOf(job.id)) === "started", 30_000, 50);
    const page = await h.open(`/jobs/${encodeURIComponent(job.id)}`);
    await expect.poll(() => page.getByTestId("job-status").textContent(), { timeout: 10_000 }).toBe("started");
    // the task's publishProgress shows as a progress bar with its title and description
    await expect.poll(() => page.getByRole("progressbar", { name: "progress" }).getAttribute("value"), { timeout: 10_000 }).toBe("10");
    expect(await page.locator("main").textContent()).toContain("waiting to be canceled");
    page.once("dialog", (d) => void d.accept());
    await page.getByTestId("cancel").click();
    // the worker sees the request with its next heartbeat and aborts the task
    await expect.poll(() => page.getByTestId("job-status").textContent(), { timeout: 20_000 }).toBe("canceled");
    expect(await statusOf(job.id)).toBe("canceled");
    await page.close();
    expect(h.errors).toEqual([]);
  });

  it("retries every failed job of a task in bulk after confirming the count", async () => {
    const jobs: Job[] = [];
    for (let i = 0; i < 3; i++) jobs.push((await enqueueWith(env, "app.tasks.flaky", { queue: "short", kwargs: { customer: `bulk-${i}` } })) as Job);
    await waitFor(async () => (await Promise.all(jobs.map((j) => statusOf(j.id)))).every((s) => s === "failed"), 30_000, 50);
    const page = await h.open("/jobs?state=failed&queue=short&task=app.tasks.flaky");
    await expect.poll(() => page.getByTestId("searched").textContent(), { timeout: 10_000 }).toMatch(/searched \d+ of 3/);
    let asked = "";
    page.once("dialog", (d) => {
      asked = d.message();
      void d.accept();
    });
    await page.getByTestId("bulk-retry").click();
    await waitFor(async () => (await Promise.all(jobs.map((j) => statusOf(j.id)))).every((s) => s === "finished"), 30_000, 50);
    expect(asked).toBe("Retry 3 failed job(s) of queue short of app.tasks.flaky?");
    await page.close();
    expect(h.errors).toEqual([]);
  });

  it("shows a job id holding <script> and an ANSI escape as text", async () => {
    const id = "evil<script>window.__pwned=1</script><img/src=x/onerror=window.__pwned=2>\u001b[31mred";
    await enqueueWith(env, "app.tasks.quick", { queue: "default", jobId: id });
    await waitFor(async () => (await statusOf(id)) === "finished", 30_000, 50);
    const shown = "evil<script>window.__pwned=1</script><img/src=x/onerror=window.__pwned=2>\\x1b[31mred";

    const list = await h.open("/jobs?state=finished");
    const link = list.getByRole("link", { name: shown });
    await expect.poll(() => link.count(), { timeout: 10_000 }).toBe(1);
    await link.click();
    await expect.poll(() => list.getByTestId("job-id").textContent(), { timeout: 10_000 }).toBe(shown);
    expect(await list.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // no element came from the id: the only script tags are the page's own
    expect(await list.locator("main script, main img").count()).toBe(0);
    await list.close();
    expect(h.errors).toEqual([]);
  });
});
