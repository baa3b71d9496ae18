/**
 * Fencing and takeover of the leader lease, in-process on one clock: a follower takes the lease
 * for a slot the leader left unrecorded past the grace (the evidence is checked in Redis), the
 * old leader's in-flight tick then writes nothing (its fence number is stale in enqueue.lua and
 * scheduler_skip.lua) and it steps down; the slots of one catch-up batch do not skip each other.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/base/clock.js";
import type { ScheduledTask } from "../../src/hooks/types.js";
import type { CatchupPolicy } from "../../src/schedule/due.js";
import type { QueueEnv } from "../../src/queue/context.js";
import { BUILTIN_QUEUES } from "../../src/config/defaults.js";
import { DEFAULT_RETENTION } from "../../src/config/defaults.js";
import { completeJob, dequeue } from "../../src/queue/lifecycle.js";
import { preloadScripts } from "../../src/redis/scripts.js";
import { createFollower } from "../../src/scheduler/failover.js";
import { createLeaderLease } from "../../src/scheduler/leader.js";
import { readLedger, recordSkip } from "../../src/scheduler/ledger.js";
import { createScheduler } from "../../src/scheduler/scheduler.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { cronTask } from "../helpers/scheduled-task.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("fencing");
});
afterAll(async () => {
  await t.cleanup();
});

const MIN = 60_000;
const task = (name: string, catchup: CatchupPolicy = "latest"): ScheduledTask => cronTask(name, "* * * * *", { catchup });

/** A worker stand-in: finish every queued job. */
async function drain(env: QueueEnv): Promise<void> {
  for (let job = await dequeue(env, { queues: ["default"], worker: "w", leaseMs: 10_000 }); job; job = await dequeue(env, { queues: ["default"], worker: "w", leaseMs: 10_000 })) {
    await completeJob(env, { job, worker: "w", result: null });
  }
}

describe("leader fencing", () => {
  it("a follower takes over an unrecorded slot; the old leader's stale tick writes nothing and it steps down", async () => {
    const keys = { ...t.keys };
    const clock = manualClock("2026-03-02T10:00:00.200Z");
    const env: QueueEnv = { redis: t.redis, keys: t.keys, clock, queues: BUILTIN_QUEUES, retention: DEFAULT_RETENTION };
    const tasks = [task("fenced")];
    // A long ttl: A still believes it leads when it wakes from its "pause" (as a process stopped
    // mid-tick does: it took its fence number before it stopped).
    const a = createScheduler({ env, tasks, timezone: "UTC", clock, leaseMs: 3_600_000 });
    const b = createScheduler({ env, tasks, timezone: "UTC", clock, leaseMs: 10_000 });
    await preloadScripts(t.redis, ["lease_acquire", "scheduler_lease_takeover", "scheduler_skip", "scheduler_ledger"]);
    expect(await a.lease.tryAcquire()).toBe(true);
    expect(a.lease.fence()).toBeGreaterThan(0);
    await a.tick(); // records the baseline (a new task fires no past slot)
    clock.set("2026-03-02T10:01:00.100Z");
    await a.tick();
    expect((await readLedger(t.redis, keys, tasks[0]!.id)).map((e) => e.outcome)).toEqual(["enqueued"]);
    await drain(env);

    // A stops (paused). 10:02 comes and stays unrecorded.
    const follower = createFollower({ redis: t.redis, keys: t.keys, clock, lease: b.lease, zone: "UTC" });
    clock.set("2026-03-02T10:02:01.000Z");
    // Within the grace (1.5 s) nothing happens: it says when to look again.
    expect(await follower.watch(tasks, () => clock())).toBe(Date.parse("2026-03-02T10:02:01.500Z"));
    expect(b.lease.isLeader()).toBe(false);
    clock.set("2026-03-02T10:02:01.600Z");
    expect(await follower.watch(tasks, () => clock())).toBe(clock());
    expect(b.lease.isLeader()).toBe(true);
    expect(b.lease.fence()).toBe(a.lease.fence() + 1);
    expect(await t.redis.get(t.keys.schedulerLeader())).toBe(b.lease.token);
    // A second follower seeing the same hole does not take it from the first (granted within the grace).
    const c = createLeaderLease({ redis: t.redis, keys: t.keys, clock, ttlMs: 10_000 });
    expect(await c.takeOver(tasks[0]!, Date.parse("2026-03-02T10:02:00Z"), 1500)).toBe(false);

    // A wakes and ticks with its old fence: refused, nothing written, A steps down.
    expect(a.lease.isLeader()).toBe(true);
    const before = { slot: await t.redis.hget(t.keys.lastSlots(t.keys.jobTag(tasks[0]!.queue)), tasks[0]!.id), ledger: await t.redis.llen(t.keys.ledger(tasks[0]!.id)) };
    await a.tick();
    expect(a.lease.isLeader()).toBe(false);
    expect({ slot: await t.redis.hget(t.keys.lastSlots(t.keys.jobTag(tasks[0]!.queue)), tasks[0]!.id), ledger: await t.redis.llen(t.keys.ledger(tasks[0]!.id)) }).toEqual(before);

    // B fires 10:02 once.
    await b.tick();
    const ledger = await readLedger(t.redis, keys, tasks[0]!.id);
    expect(ledger.filter((e) => e.outcome === "enqueued").map((e) => new Date(e.slot).toISOString())).toEqual(["2026-03-02T10:02:00.000Z", "2026-03-02T10:01:00.000Z"]);

    // The evidence: a slot already recorded, or a leader that ticked since it came due, is no reason to take over.
    expect(await c.takeOver(tasks[0]!, Date.parse("2026-03-02T10:02:00Z"), 0)).toBe(false);
    // Skips (paused scheduler, catch-up window) are fenced the same way.
    const skip = { slot: Date.parse("2026-03-02T10:03:00Z"), at: clock(), outcome: "skipped" as const, reason: "paused" as const, catchup: false };
    expect(await recordSkip(t.redis, t.keys, tasks[0]!.id, skip.slot, skip, a.lease.fence())).toBe("fenced");
    expect(await recordSkip(t.redis, t.keys, tasks[0]!.id, skip.slot, skip, b.lease.fence())).toBe("recorded");
  });

  it("the slots of one catch-up batch do not skip each other as overlaps", async () => {
    const clock = manualClock("2026-03-02T11:00:00.200Z");
    const env: QueueEnv = { redis: t.redis, keys: t.keys, clock, queues: BUILTIN_QUEUES, retention: DEFAULT_RETENTION };
    const tasks = [task("batch", { all: true, window: "1h" })];
    const s = createScheduler({ env, tasks, timezone: "UTC", clock });
    await preloadScripts(t.redis, ["scheduler_skip", "scheduler_ledger"]);
    await s.tick();
    // Three slots missed (11:01, 11:02, 11:03): one batch, each enqueued behind the one before.
    clock.set("2026-03-02T11:03:00.500Z");
    await s.tick();
    const ledger = await readLedger(t.redis, t.keys, tasks[0]!.id);
    expect(ledger.map((e) => `${e.outcome} ${new Date(e.slot).toISOString().slice(11, 16)}`)).toEqual(["enqueued 11:03", "enqueued 11:02", "enqueued 11:01"]);
    // A run still live from before the next gap still makes that gap's first slot skip (the overlap rule).
    clock.set("2026-03-02T11:04:00.500Z");
    await s.tick();
    expect((await readLedger(t.redis, t.keys, tasks[0]!.id, 1))[0]).toMatchObject({ outcome: "skipped", reason: "overlap" });
    // Drain them; the next slot runs again.
    await drain(env);
    clock.set("2026-03-02T11:05:00.500Z");
    await s.tick();
    expect((await readLedger(t.redis, t.keys, tasks[0]!.id, 1))[0]).toMatchObject({ outcome: "enqueued" });
  });
});
