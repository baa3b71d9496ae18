/**
 * The wall clock jumps under a running scheduler (NTP step, VM resume): forward an hour, then
 * back a minute. The clock is injected through the scheduler's `clock` option; the live loop,
 * the leader lease and a worker stand-in all run on it. No slot may fire twice, and the hour of
 * missed slots is caught up per policy: "latest" one run, "none" only the on-time slot, "all"
 * every slot once (each either enqueued or skipped as an overlap of the run before it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/base/clock.js";
import type { ScheduledTask } from "../../src/hooks/types.js";
import type { CatchupPolicy } from "../../src/schedule/due.js";
import type { QueueEnv } from "../../src/queue/context.js";
import { createScheduler } from "../../src/scheduler/scheduler.js";
import { readLedger } from "../../src/scheduler/ledger.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { startDrain } from "../scheduler/helpers.js";
import { account, expectAccounted, report } from "./helpers/accounting.js";
import { FIXTURE_QUEUES } from "./helpers/env.js";
import { cronTask } from "../helpers/scheduled-task.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("rel-clock");
});
afterAll(async () => {
  await t.cleanup();
});

const MIN = 60_000;
const task = (name: string, catchup: CatchupPolicy): ScheduledTask => cronTask(name, "* * * * *", { catchup });

describe("clock jumps", () => {
  it("forward an hour and back a minute: no double fire, catch-up per policy", async () => {
    const at = (hhmmss: string) => Date.parse(`2025-03-10T${hhmmss}Z`);
    const clock = manualClock(at("10:00:30"));
    // Retention longer than the jump: finished jobs must still be there for the census.
    const env: QueueEnv = { redis: t.redis, keys: t.keys, clock, queues: FIXTURE_QUEUES, retention: { finished: 86_400, failed: 86_400 } };
    const tasks = [task("latest", "latest"), task("none", "none"), task("all", { all: true, window: "2h" })];
    const scheduler = createScheduler({ env, tasks, timezone: "UTC", clock, leaseMs: 1000, maxSleepMs: 200 });
    const drain = startDrain(env, t.url, "default");
    const jobsOf = (name: string) => drain.jobs.filter((j) => j.method === `app.tasks.${name}`);

    /** Set the clock, wake the loop, wait until it ticked at that instant and the queue is empty. */
    const step = async (when: number) => {
      clock.set(when);
      scheduler.wake();
      await waitFor(async () => scheduler.state().lastTickAt === when && (await t.redis.llen(t.keys.queue("default"))) === 0 && (await t.redis.zcard(t.keys.started("default"))) === 0, 10_000);
    };
    try {
      await scheduler.start();
      await waitFor(() => scheduler.state().leader && scheduler.state().ticks > 0, 10_000);
      await step(at("10:01:02"));
      expect(drain.jobs.map((j) => j.scheduledFor)).toEqual([at("10:01:00"), at("10:01:00"), at("10:01:00")]);

      const jumpedAt = Date.now();
      await step(at("11:01:02")); // forward an hour
      const recoveryMs = Date.now() - jumpedAt;
      await step(at("11:00:02")); // back a minute: 11:00 and 11:01 are already handled
      await step(at("11:01:40"));
      const before = drain.jobs.length;
      await step(at("11:02:01"));
      expect(drain.jobs.length - before).toBe(3);

      const slots = (name: string) => jobsOf(name).map((j) => j.scheduledFor!);
      expect(slots("latest")).toEqual([at("10:01:00"), at("11:01:00"), at("11:02:00")]);
      expect(slots("none")).toEqual([at("10:01:00"), at("11:01:00"), at("11:02:00")]);
      // "all": each of the 60 slots after 10:01 once, oldest first; the ledger accounts for every one.
      const all = slots("all");
      expect(new Set(all).size).toBe(all.length);
      expect(all).toEqual([...all].sort((a, b) => a - b));
      expect(all[0]).toBe(at("10:01:00"));
      expect(all.at(-1)).toBe(at("11:02:00"));
      const ledger = await readLedger(t.redis, t.keys, tasks[2]!.id);
      const covered = ledger.filter((e) => e.slot > at("10:01:00") && e.slot <= at("11:01:00")).reduce((n, e) => n + (e.count ?? 1), 0);
      expect(covered).toBe(60);
      // "none": the 59 missed slots are recorded as one skipped entry, not fired.
      const noneLedger = await readLedger(t.redis, t.keys, tasks[1]!.id);
      expect(noneLedger.some((e) => e.outcome !== "enqueued" && (e.count ?? 1) === 59)).toBe(true);

      // No (task, slot) was enqueued twice, and every job finished once.
      const pairs = drain.jobs.map((j) => `${j.task}@${j.scheduledFor}`);
      expect(new Set(pairs).size).toBe(pairs.length);
      const a = await account({ redis: t.redis, keys: t.keys, queues: ["default"], ids: drain.jobs.map((j) => j.id) });
      report("clock +1 h then -1 min (latest/none/all)", a, recoveryMs);
      expectAccounted(a);
    } finally {
      await scheduler.stop();
      await drain.stop();
    }
  });
});
