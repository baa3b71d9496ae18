/**
 * The tick against real Redis with a manual clock: one tick = one call, at chosen instants.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/base/clock.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { createScheduler } from "../../src/scheduler/scheduler.js";
import { readLedger } from "../../src/scheduler/ledger.js";
import { setSwitch } from "../../src/scheduler/switches.js";
import { type QueueEnv } from "../../src/queue/context.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../../src/config/defaults.js";
import { getJobWith } from "../../src/queue/registry.js";
import { dequeue, completeJob } from "../../src/queue/lifecycle.js";
import type { ScheduledTask } from "../../src/hooks/types.js";
import type { CatchupPolicy } from "../../src/schedule/due.js";
import { cronTask } from "../helpers/scheduled-task.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("scheduler-tick");
});
afterAll(async () => {
  await t.cleanup();
});

const MIN = 60_000;
const task = (name: string, expression = "* * * * *", catchup: CatchupPolicy = "latest"): ScheduledTask => cronTask(name, expression, { catchup, kwargs: { name } });

function setup(start: string, tasks: ScheduledTask[]) {
  const clock = manualClock(start);
  const env: QueueEnv = { redis: t.redis, keys: t.keys, clock, queues: BUILTIN_QUEUES, retention: DEFAULT_RETENTION };
  const scheduler = createScheduler({ env, tasks, timezone: "Europe/Berlin", clock });
  return { clock, env, scheduler };
}

/** Finish every queued job of `default` (so the overlap rule lets the next slot through). */
async function drain(env: QueueEnv) {
  for (let job = await dequeue(env, { queues: ["default"], worker: "w", leaseMs: 10_000 }); job; job = await dequeue(env, { queues: ["default"], worker: "w", leaseMs: 10_000 })) {
    await completeJob(env, { job, worker: "w", result: null });
  }
}

describe("tick", () => {
  it("a new task fires no past slot, then fires each slot once with scheduledFor and the ledger", async () => {
    const a = task("first");
    const { clock, env, scheduler } = setup("2025-01-15T10:00:30Z", [a]);
    expect(await scheduler.tick()).toBe(Date.parse("2025-01-15T10:01:00Z"));
    // the slot record where the task's jobs go (its queue's tag on the per-queue layout)
    expect(await t.redis.hget(t.keys.lastSlots(t.keys.jobTag(a.queue)), a.id)).toBe(String(Date.parse("2025-01-15T10:00:30Z")));
    expect(await readLedger(t.redis, t.keys, a.id)).toEqual([]);

    clock.set("2025-01-15T10:01:00.004Z");
    await scheduler.tick();
    clock.set("2025-01-15T10:01:00.020Z");
    await scheduler.tick(); // same slot again: nothing new
    const ledger = await readLedger(t.redis, t.keys, a.id);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ outcome: "enqueued", slot: Date.parse("2025-01-15T10:01:00Z"), catchup: false, latenessMs: 4 });
    const job = await getJobWith(env, ledger[0]!.jobId!);
    expect(job).toMatchObject({ method: "app.tasks.first", task: a.id, scheduledFor: Date.parse("2025-01-15T10:01:00Z"), kwargs: { name: "first" } });
    await drain(env);
  });

  it("a second scheduler ticking the same slot gets slot-taken: one job per slot", async () => {
    const b = task("shared");
    const one = setup("2025-01-15T11:00:30Z", [b]);
    const two = setup("2025-01-15T11:00:30Z", [b]);
    await one.scheduler.tick();
    one.clock.set("2025-01-15T11:01:00.001Z");
    two.clock.set("2025-01-15T11:01:00.002Z");
    await Promise.all([one.scheduler.tick(), two.scheduler.tick()]);
    const ledger = await readLedger(t.redis, t.keys, b.id);
    expect(ledger.map((e) => e.outcome === "enqueued" ? "enqueued" : e.reason).sort()).toEqual(["enqueued", "slot-taken"]);
    await drain(one.env);
  });

  it("overlap: the previous job still queued skips the slot, and repeats merge into one ledger entry", async () => {
    const c = task("slow");
    const { clock, scheduler } = setup("2025-01-15T12:00:30Z", [c]);
    await scheduler.tick();
    for (const at of ["12:01:00.001", "12:02:00.001", "12:03:00.001", "12:04:00.001"]) {
      clock.set(`2025-01-15T${at}Z`);
      await scheduler.tick();
    }
    const ledger = await readLedger(t.redis, t.keys, c.id);
    expect(ledger).toHaveLength(2);
    expect(ledger[0]).toMatchObject({ outcome: "skipped", reason: "overlap", count: 3, slot: Date.parse("2025-01-15T12:04:00Z") });
    expect(ledger[0]!.runningJobId).toBe(ledger[1]!.jobId);
    expect(ledger[1]).toMatchObject({ outcome: "enqueued" });
    await drain(setup("2025-01-15T12:05:00Z", []).env);
  });

  it("paused: nothing is enqueued, the ledger says paused once (merged), and resume fires the next slot", async () => {
    const d = task("paused");
    const { clock, env, scheduler } = setup("2025-01-15T13:00:30Z", [d]);
    await scheduler.tick();
    await setSwitch({ redis: t.redis, keys: t.keys, clock }, "pause", "test");
    for (const at of ["13:01:00.001", "13:02:00.001", "13:03:00.001"]) {
      clock.set(`2025-01-15T${at}Z`);
      await scheduler.tick();
    }
    expect(scheduler.state().switches).toMatchObject({ paused: true, enabled: true, by: "test" });
    let ledger = await readLedger(t.redis, t.keys, d.id);
    expect(ledger).toEqual([expect.objectContaining({ outcome: "skipped", reason: "paused", count: 3, firstSlot: Date.parse("2025-01-15T13:01:00Z") })]);
    expect(await t.redis.llen(t.keys.queue("default"))).toBe(0);
    // The stream says it once with its reason (the first skip), not once per tick.
    const skips = (await t.redis.xrange(t.keys.events(), "-", "+"))
      .map(([, f]) => JSON.parse(f[1]!) as { type: string; task?: string; data?: { reason?: string } })
      .filter((e) => e.type === "job.skipped" && e.task === d.id);
    expect(skips).toHaveLength(1);
    expect(skips[0]!.data?.reason).toBe("paused");

    await setSwitch({ redis: t.redis, keys: t.keys, clock }, "resume", "test");
    clock.set("2025-01-15T13:04:00.002Z");
    await scheduler.tick();
    ledger = await readLedger(t.redis, t.keys, d.id);
    expect(ledger[0]).toMatchObject({ outcome: "enqueued", slot: Date.parse("2025-01-15T13:04:00Z"), catchup: false });
    await drain(env);
    await setSwitch({ redis: t.redis, keys: t.keys, clock }, "disable", "test");
    clock.set("2025-01-15T13:05:00.002Z");
    await scheduler.tick();
    expect((await readLedger(t.redis, t.keys, d.id))[0]).toMatchObject({ outcome: "skipped", reason: "disabled" });
    await setSwitch({ redis: t.redis, keys: t.keys, clock }, "enable", "test");
  });

  it("catch-up after 3 days down: latest fires one catch-up run, the misses are one ledger entry", async () => {
    const e = task("hourly", "0 * * * *");
    const { clock, env, scheduler } = setup("2025-01-10T09:30:00Z", [e]);
    await scheduler.tick();
    clock.set("2025-01-10T10:00:00.003Z");
    await scheduler.tick();
    await drain(env);
    clock.set("2025-01-13T10:20:00Z");
    await scheduler.tick();
    const ledger = await readLedger(t.redis, t.keys, e.id);
    expect(ledger[0]).toMatchObject({ outcome: "enqueued", slot: Date.parse("2025-01-13T10:00:00Z"), catchup: true });
    expect(ledger[1]).toMatchObject({ outcome: "missed", count: 71, firstSlot: Date.parse("2025-01-10T11:00:00Z") });
    // The clock jumps back a minute: nothing fires twice.
    await drain(env);
    clock.set("2025-01-13T10:19:00Z");
    await scheduler.tick();
    expect(await readLedger(t.redis, t.keys, e.id)).toEqual(ledger);
    await drain(env);
  });

  it("policy none after downtime: records the skip and advances the slot without enqueueing", async () => {
    const f = task("none", "0 * * * *", "none");
    const { clock, scheduler } = setup("2025-01-10T09:30:00Z", [f]);
    await scheduler.tick();
    clock.set("2025-01-10T15:30:00Z");
    await scheduler.tick();
    const ledger = await readLedger(t.redis, t.keys, f.id);
    expect(ledger).toEqual([expect.objectContaining({ outcome: "skipped", reason: "outside-catchup-window", count: 6 })]);
    expect(await t.redis.hget(t.keys.lastSlots(t.keys.jobTag(f.queue)), f.id)).toBe(String(Date.parse("2025-01-10T15:00:00Z")));
  });
});
