// The Metrics page (/charts) and the overview's sparklines in Chromium, drawn from a real
// metrics history: jobs run by a real daemon's worker write it (the job scripts), the daemon's
// own HTTP server (console + GET /api/metrics/history) serves it. Each chart must hold its
// series with the jobs' counts, and its canvas must show the series' colour (not blank).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Locator } from "playwright-core";
import { enqueueWith } from "../../src/queue/enqueue.js";
import type { Job } from "../../src/queue/types.js";
import { startHttpServer, type HttpHandle } from "../../src/http/server.js";
import { waitFor } from "../helpers/redis.js";
import { jobHash } from "../helpers/job-reads.js";
import { consoleDeps, daemonReady, startHarness, type Harness } from "./harness.js";

describe("console charts from a real history", () => {
  let h: Harness;
  let http: HttpHandle;
  let deps: Awaited<ReturnType<typeof consoleDeps>>;
  let context: BrowserContext;
  const errors: string[] = [];
  beforeAll(async () => {
    h = await startHarness("console-charts");
    await daemonReady(h);
    deps = await consoleDeps(h.t);
    http = (await startHttpServer({ ...deps, role: "serve" }, { address: { host: "127.0.0.1", port: 0 }, warn: (m) => errors.push(m) }))!;
    context = await h.browser.newContext({ baseURL: http.url });
    context.on("page", (page) => {
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(`${page.url()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
    });
    // Five that finish and two that fail on the default queue (flaky fails its first attempt).
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(((await enqueueWith(h.env, "app.tasks.quick", { queue: "default" })) as Job).id);
    for (let i = 0; i < 2; i++) ids.push(((await enqueueWith(h.env, "app.tasks.flaky", { queue: "default", kwargs: { customer: `c${i}` } })) as Job).id);
    await waitFor(async () => (await Promise.all(ids.map(async (id) => (await jobHash(h.t, id)).status))).every((s) => s === "finished" || s === "failed"), 60_000, 100);
  }, 180_000);
  afterAll(async () => {
    await context?.close().catch(() => {});
    await http?.close();
    deps?.close();
    await h?.close();
  });

  type Plotted = Array<[string, number, number]>;
  const plotted = async (chart: Locator) => JSON.parse((await chart.getAttribute("data-series")) ?? "[]") as Plotted;
  /** Canvas pixels close to the chart's first series colour (#2b7bd6): drawn, not blank. */
  const seriesPixels = (chart: Locator) =>
    chart.locator("canvas").evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && Math.abs(d[i]! - 0x2b) + Math.abs(d[i + 1]! - 0x7b) + Math.abs(d[i + 2]! - 0xd6) < 60) n++;
      return n;
    });

  it("/charts plots completed and failed jobs, run and wait percentiles of the queue", async () => {
    const page = await context.newPage();
    await page.goto("/charts");
    await page.getByLabel("queue").selectOption("default");
    const jobs = page.locator('.chart[aria-label="default: jobs per 60 s"]');
    await expect.poll(() => jobs.count(), { timeout: 15_000 }).toBe(1);
    const series = await plotted(jobs);
    expect(series.map(([name]) => name)).toEqual(["completed", "failed"]);
    const [, points, completed] = series[0]!;
    expect(points).toBeGreaterThanOrEqual(60); // a point per minute of the hour, zeros included
    expect(completed).toBeGreaterThanOrEqual(6); // ours and daemonReady's
    expect(series[1]![2]).toBeGreaterThanOrEqual(2);
    const run = await plotted(page.locator('.chart[aria-label="default: run time (s)"]'));
    expect(run.map(([name]) => name)).toEqual(["p50", "p95", "p99"]);
    expect(run[0]![1]).toBeGreaterThanOrEqual(1); // minutes with runs have a percentile
    expect(await seriesPixels(jobs)).toBeGreaterThan(20);
    await page.close();
    expect(errors).toEqual([]);
  });

  it("the overview's sparklines plot the last hour of each queue", async () => {
    const page = await context.newPage();
    await page.goto("/");
    const spark = page.locator('.sparkline[aria-label="throughput and failures of default, last hour"]');
    await expect.poll(() => spark.count(), { timeout: 15_000 }).toBe(1);
    const [completed, failed] = await plotted(spark);
    expect(completed![0]).toBe("completed");
    expect(completed![2]).toBeGreaterThanOrEqual(6);
    expect(failed![2]).toBeGreaterThanOrEqual(2);
    expect(await seriesPixels(spark)).toBeGreaterThan(5);
    await page.close();
    expect(errors).toEqual([]);
  });
});
