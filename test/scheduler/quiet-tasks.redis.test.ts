/**
 * The tick skips the cron walk of tasks that had nothing due (scheduler.ts `quiet`): these tests
 * check that the shortcut never hides a due slot (the next slot is reached, another daemon
 * moved the slot record, a record was deleted) and that it is what makes big hooks cheap.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/base/clock.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { createScheduler } from "../../src/scheduler/scheduler.js";
import { type QueueEnv } from "../../src/queue/context.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../../src/config/defaults.js";
import { dequeue, completeJob } from "../../src/queue/lifecycle.js";
import type { ScheduledTask } from "../../src/hooks/types.js";
import { cronTask } from "../helpers/scheduled-task.js";
import { pauseKey } from "../../src/scheduler/tick-controls.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("scheduler-quiet");
});
afterAll(async () => {
  await t.cleanup();
});

const task = (name: string, expression: string): ScheduledTask => cronTask(name, expression);
/** The tasks' slot records: on their queue's tag (the installation's on its layout). */
const slotsKey = () => t.keys.lastSlots(t.keys.jobTag("default"));

function setup(start: string, tasks: ScheduledTask[], tickSlice?: number) {
  const clock = manualClock(start);
  const env: QueueEnv = { redis: t.redis, keys: t.keys, clock, queues: BUILTIN_QUEUES, retention: DEFAULT_RETENTION };
  return { clock, env, scheduler: createScheduler({ env, tasks, timezone: "Europe/Berlin", clock, tickSlice }) };
}

/** Ids of the jobs now queued on `default`, taken and finished (so overlap never blocks). */
async function drain(env: QueueEnv): Promise<string[]> {
  const ids: string[] = [];
  for (let job = await dequeue(env, { queues: ["default"], worker: "w", leaseMs: 10_000 }); job; job = await dequeue(env, { queues: ["default"], worker: "w", leaseMs: 10_000 })) {
    ids.push(job.task ?? job.method);
    await completeJob(env, { job, worker: "w", result: null });
  }
  return ids;
}

describe("quiet tasks", () => {
  it("fires at the next slot after idle ticks, and again after the next", async () => {
    const a = task("a", "*/5 * * * *");
    const { clock, env, scheduler } = setup("2026-03-02T10:00:30Z", [a]);
    await scheduler.tick(); // baseline
    for (let i = 0; i < 5; i++) {
      clock.advance(30_000);
      expect(await scheduler.tick()).toBe(Date.parse("2026-03-02T10:05:00Z"));
    }
    expect(await drain(env)).toEqual([]);
    clock.set("2026-03-02T10:05:00.005Z");
    await scheduler.tick();
    expect(await drain(env)).toEqual([a.id]);
    clock.set("2026-03-02T10:07:00Z");
    expect(await scheduler.tick()).toBe(Date.parse("2026-03-02T10:10:00Z"));
    clock.set("2026-03-02T10:10:01Z");
    await scheduler.tick();
    expect(await drain(env)).toEqual([a.id]);
  });

  it("looks again when another daemon changed the slot record or it was deleted", async () => {
    const b = task("b", "0 * * * *");
    const { clock, env, scheduler } = setup("2026-03-02T11:10:00Z", [b]);
    await scheduler.tick(); // baseline 11:10
    clock.advance(60_000);
    await scheduler.tick(); // quiet now
    // Someone rewinds the record to before 11:00 (e.g. an operator resetting it): 11:00 is due.
    await t.redis.hset(slotsKey(), b.id, String(Date.parse("2026-03-02T10:30:00Z")));
    clock.advance(60_000);
    await scheduler.tick();
    expect(await drain(env)).toEqual([b.id]);
    // The record deleted: the task counts as first seen again (a new baseline, nothing fired),
    // wherever it is: on the queue's tag, or a record of before the layout on the installation's
    await t.redis.hdel(t.keys.lastSlots(), b.id);
    await t.redis.hdel(slotsKey(), b.id);
    clock.advance(60_000);
    await scheduler.tick();
    expect(await drain(env)).toEqual([]);
    expect(Number(await t.redis.hget(slotsKey(), b.id))).toBeGreaterThan(Date.parse("2026-03-02T11:00:00Z"));
  });

  it("a tick over more tasks than one slice reads, plans and writes every slice (tick-read.ts)", async () => {
    await t.redis.del(slotsKey());
    // 23 tasks in slices of 5: every third fires each minute, the rest at 14:00 Berlin; task s21 paused
    const many = Array.from({ length: 23 }, (_, i) => task(`s${i}`, i % 3 === 0 ? "* * * * *" : "0 14 * * *")); // 14:00 Berlin = 13:00Z
    const { clock, env, scheduler } = setup("2026-03-02T12:00:30Z", many, 5);
    expect(await scheduler.tick()).toBe(Date.parse("2026-03-02T12:01:00Z"));
    const baselines = await t.redis.hmget(slotsKey(), ...many.map((m) => m.id));
    expect(baselines.filter((b) => b !== null)).toHaveLength(23);
    await t.redis.hset(pauseKey(t.keys), many[21]!.id, JSON.stringify({ note: "test", by: "test", at: 0, cause: "manual" }));
    clock.set("2026-03-02T12:01:00.010Z");
    await scheduler.tick(); // not a full read: s21 is read with the due ones and its pause seen
    const everyMinute = many.filter((_, i) => i % 3 === 0 && i !== 21).map((m) => m.id);
    expect((await drain(env)).sort()).toEqual(everyMinute.sort());
    clock.set("2026-03-02T12:01:40Z");
    await scheduler.tick();
    expect(await drain(env)).toEqual([]);
    clock.set("2026-03-02T13:00:00.010Z"); // a full read (fullReadMs passed): every slice, s21 still paused
    await scheduler.tick();
    expect((await drain(env)).sort()).toEqual(many.filter((_, i) => i !== 21).map((m) => m.id).sort());
    await t.redis.del(slotsKey());
    await t.redis.del(pauseKey(t.keys)); // on the installation tag: another slot than the record on a cluster
  });

  it("makes idle ticks of many tasks far cheaper than the first walk", async () => {
    const many = Array.from({ length: 1500 }, (_, i) => task(`m${i}`, `${i % 60} ${Math.floor(i / 60) % 24} * * ${i % 7}`));
    const { clock, scheduler } = setup("2026-03-02T12:00:30Z", many);
    const time = async () => {
      const t0 = performance.now();
      await scheduler.tick();
      return performance.now() - t0;
    };
    const first = await time();
    clock.advance(1000);
    const idle = Math.min(await time(), await time(), await time());
    expect(idle).toBeLessThan(first / 5);
  });
});
