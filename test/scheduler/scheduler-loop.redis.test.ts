/**
 * The live loop with the real clock: start() leads and fires on time, replaceTasks() takes
 * effect at once (removed tasks stop, new ones start from now), stop() releases the lease.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/base/clock.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { createScheduler } from "../../src/scheduler/scheduler.js";
import { readLedger } from "../../src/scheduler/ledger.js";
import { type QueueEnv } from "../../src/queue/context.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../../src/config/defaults.js";
import type { ScheduledTask } from "../../src/hooks/types.js";
import { startDrain } from "./helpers.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("scheduler-loop");
});
afterAll(async () => {
  await t.cleanup();
});

const task = (name: string): ScheduledTask => ({
  id: `cron:* * * * * *|app.tasks.${name}`,
  event: "cron",
  expression: "* * * * * *",
  method: `app.tasks.${name}`,
  queue: "loop",
  catchup: "latest",
  jitter: 0,
  kwargs: {},
  source: name,
});

describe("scheduler loop", () => {
  it("fires every second while leading, follows replaceTasks, releases on stop", async () => {
    const env: QueueEnv = {
      redis: t.redis,
      keys: t.keys,
      clock: systemClock,
      queues: { ...BUILTIN_QUEUES, loop: { timeout: 30, workers: 0, concurrency: 1 } },
      retention: DEFAULT_RETENTION,
    };
    const drain = startDrain(env, t.url, "loop");
    const a = task("a");
    const b = task("b");
    const scheduler = createScheduler({ env, tasks: [a], timezone: "UTC", leaseMs: 1500 });
    await scheduler.start();
    await waitFor(() => drain.jobs.filter((j) => j.method === "app.tasks.a").length >= 2, 8000, 20);
    expect(scheduler.state()).toMatchObject({ running: true, leader: true, tasks: 1 });

    const swappedAt = Date.now();
    scheduler.replaceTasks([b]);
    await waitFor(() => drain.jobs.filter((j) => j.method === "app.tasks.b").length >= 2, 8000, 20);
    const bJobs = drain.jobs.filter((j) => j.method === "app.tasks.b");
    // A new task starts from now: its first slot is after the swap, never a past one.
    expect(Math.min(...bJobs.map((j) => j.scheduledFor!))).toBeGreaterThan(swappedAt);
    const lastA = Math.max(...drain.jobs.filter((j) => j.method === "app.tasks.a").map((j) => j.scheduledFor!));
    expect(lastA).toBeLessThanOrEqual(swappedAt + 50);

    const state = scheduler.state();
    expect(state.lateness.count).toBeGreaterThanOrEqual(4);
    expect(state.ticks).toBeGreaterThanOrEqual(4);
    await scheduler.stop();
    await drain.stop();
    expect(scheduler.state()).toMatchObject({ running: false, leader: false });
    expect(await t.redis.exists(t.keys.schedulerLeader())).toBe(0);
    // The ledger has one enqueued entry per job, none skipped.
    const ledger = await readLedger(t.redis, t.keys, b.id);
    expect(ledger.every((e) => e.outcome === "enqueued")).toBe(true);
    expect(ledger.length).toBe(bJobs.length);
  });
});
