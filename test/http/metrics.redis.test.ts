/**
 * /metrics of a real daemon after a known workload, parsed with a Prometheus text parser:
 * N jobs done, M failed, one timed out (its worker killed and replaced), and a scheduled task
 * that outlives its period, so a slot is skipped by overlap. Then a second daemon on the same
 * Redis: the per-process counters of both sum to the workload.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type QueueEnv } from "../../src/queue/context.js";
import { DEFAULT_RETENTION } from "../../src/config/defaults.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { systemClock } from "../../src/base/clock.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { sample, scrape, startDaemon, value, type Daemon, type Scrape } from "./helpers.js";

const N = 6;
const M = 3;
const QUEUES = { work: { timeout: 30, workers: 1, concurrency: 4 }, tight: { timeout: 1, workers: 1, concurrency: 1 }, sched: { timeout: 30, workers: 1, concurrency: 1 } };

let t: TestRedis;
let env: QueueEnv;
/** The file's daemon: the first test reads its workload, the second runs a second one beside it. */
let d: Daemon | undefined;

const daemonEnv = () => ({ REDIS_URL: t.url, SCHEDULER_PREFIX: t.prefix });

beforeAll(async () => {
  t = await testRedis("http-metrics");
  env = { redis: t.redis, keys: t.keys, clock: systemClock, queues: QUEUES, retention: DEFAULT_RETENTION };
  d = await startDaemon([], daemonEnv());
}, 60_000);

afterAll(async () => {
  await d?.stop();
  await t.cleanup();
});

describe("GET /metrics", () => {
  it("counts a known workload, one figure at a time", async () => {
    for (let i = 0; i < N; i++) await enqueueWith(env, "app.tasks.ok", { queue: "work" });
    for (let i = 0; i < M; i++) await enqueueWith(env, "app.tasks.boom", { queue: "work" });
    await enqueueWith(env, "app.tasks.sleepy", { queue: "tight" });

    // bounded by the work: the timeout (1 s + kill) and two periods of the 2 s schedule
    const fam = await waitFor(async () => {
      const f = await scrape(d!.url);
      const done = value(f, "hs_jobs_completed_total", { queue: "work" }) === N && value(f, "hs_jobs_failed_total", { queue: "work" }) === M;
      const timedOut = value(f, "hs_jobs_timed_out_total", { queue: "tight" }) === 1;
      const skipped = value(f, "hs_schedule_fires_total", { outcome: "skipped_overlap" }) >= 1;
      return done && timedOut && skipped ? f : undefined;
    }, 30_000, 200) as Scrape;

    expect(value(fam, "hs_jobs_completed_total", { queue: "work", task: "app.tasks.ok" })).toBe(N);
    expect(value(fam, "hs_jobs_failed_total", { queue: "work", task: "app.tasks.boom" })).toBe(M);
    expect(value(fam, "hs_jobs_timed_out_total", { queue: "tight", task: "app.tasks.sleepy" })).toBe(1);
    expect(value(fam, "hs_jobs_failed_total", { queue: "tight", task: "app.tasks.sleepy" })).toBe(1);
    expect(value(fam, "hs_jobs_retried_total")).toBe(0);
    expect(value(fam, "hs_worker_restarts_total", { queue: "tight", reason: "timeout" })).toBe(1);
    // run histogram: every attempt that ran to an end, the +Inf bucket equals _count
    const ok = { queue: "work", task: "app.tasks.ok" };
    expect(sample(fam, "hs_job_run_seconds_count", ok)).toBe(N);
    expect(sample(fam, "hs_job_run_seconds_bucket", { ...ok, le: "+Inf" })).toBe(N);
    expect(sample(fam, "hs_job_run_seconds_bucket", { ...ok, le: "0.005" })).toBeLessThanOrEqual(N);
    const sleepy = { queue: "tight", task: "app.tasks.sleepy" };
    expect(sample(fam, "hs_job_run_seconds_sum", sleepy)).toBeGreaterThanOrEqual(1);
    expect(sample(fam, "hs_job_run_seconds_bucket", { ...sleepy, le: "0.5" })).toBe(0);
    expect(sample(fam, "hs_job_run_seconds_bucket", { ...sleepy, le: "+Inf" })).toBe(1);
    expect(sample(fam, "hs_job_wait_seconds_count", { queue: "work" })).toBe(N + M);
    // installation-wide state from Redis
    expect(value(fam, "hs_jobs", { queue: "work", state: "finished" })).toBe(N);
    expect(value(fam, "hs_jobs", { queue: "work", state: "failed" })).toBe(M);
    expect(value(fam, "hs_jobs", { queue: "work", state: "queued" })).toBe(0);
    expect(value(fam, "hs_queue_oldest_job_age_seconds", { queue: "work" })).toBe(0);
    // scheduler and workers of this daemon
    expect(value(fam, "hs_scheduler_leader")).toBe(1);
    const fires = fam.find((f) => f.name === "hs_schedule_fires_total")!;
    expect(fires.metrics.some((m) => m.labels?.outcome === "enqueued" && Number(m.value) >= 1)).toBe(true);
    expect(fam.find((f) => f.name === "hs_schedule_next_fire_timestamp_seconds")!.metrics).toHaveLength(1);
    expect(value(fam, "hs_schedule_last_fire_timestamp_seconds")).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(value(fam, "hs_workers", { queue: "work" })).toBe(1);
    expect(value(fam, "hs_redis_up")).toBe(1);
    expect(value(fam, "hs_worker_child_rss_bytes")).toBeGreaterThan(1e6);
    expect(fam.some((f) => f.name === "process_resident_memory_bytes")).toBe(true);
    // naming guide: one prefix, _total only on counters, no job id in any label
    for (const f of fam.filter((x) => x.name.startsWith("hs_"))) {
      expect(f.name.endsWith("_total")).toBe(f.type === "COUNTER");
      for (const m of f.metrics) expect(Object.keys(m.labels ?? {}).filter((k) => /id|kwargs/i.test(k))).toEqual([]);
    }
  }, 60_000);

  it("two daemons on one Redis: their counters sum to the workload", async () => {
    const before = await scrape(d!.url);
    const base = value(before, "hs_jobs_completed_total", { queue: "work" });
    const second = await startDaemon(["--no-scheduler"], daemonEnv());
    const K = 40;
    let a: Scrape, b: Scrape;
    try {
      for (let i = 0; i < K; i++) await enqueueWith(env, "app.tasks.ok", { queue: "work" });
      [a, b] = await waitFor(async () => {
        const pair = await Promise.all([d!, second].map((x) => scrape(x.url)));
        const sum = pair.reduce((n, f) => n + value(f, "hs_jobs_completed_total", { queue: "work" }), 0);
        return sum === base + K ? pair : undefined;
      }, 30_000, 200) as Scrape[] as [Scrape, Scrape];
    } finally {
      await second.stop();
    }
    // counters are per process: neither counts the other's jobs
    expect(value(a, "hs_jobs_completed_total", { queue: "work" }) + value(b, "hs_jobs_completed_total", { queue: "work" })).toBe(base + K);
    // installation-wide gauges agree (max, not sum); one leader
    expect(value(a, "hs_jobs", { queue: "work", state: "finished" })).toBe(value(b, "hs_jobs", { queue: "work", state: "finished" }));
    expect(value(a, "hs_scheduler_leader") + value(b, "hs_scheduler_leader")).toBe(1);
  }, 60_000);
});
