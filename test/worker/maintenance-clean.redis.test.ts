/** The supervisor's sweep: expired finished and failed jobs leave Redis with their hashes. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/base/clock.js";
import { type QueueEnv } from "../../src/queue/context.js";
import { BUILTIN_QUEUES } from "../../src/config/defaults.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { completeJob, dequeue, failJob } from "../../src/queue/lifecycle.js";
import { Maintenance } from "../../src/worker/supervisor/maintenance.js";
import { silentLogger } from "../../src/worker/log.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

describe("Maintenance.clean", () => {
  let t: TestRedis;
  const clock = manualClock("2026-11-28T12:00:00Z");
  let env: QueueEnv;
  beforeAll(async () => {
    t = await testRedis("maint-clean");
    env = { redis: t.redis, keys: t.keys, clock, queues: BUILTIN_QUEUES, retention: { finished: 10, failed: 20 } };
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it("removes finished and failed jobs once their retention has passed, and nothing before", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const job = (await enqueueWith(env, "app.tasks.noop", { queue: "default" })) as { id: string };
      ids.push(job.id);
      const taken = (await dequeue(env, { queues: ["default"], worker: "w1", leaseMs: 60_000 }))!;
      if (i % 3 === 0) await failJob(env, { job: taken, worker: "w1", error: new Error("x") });
      else await completeJob(env, { job: taken, worker: "w1", result: i });
    }
    const m = new Maintenance({
      env, log: silentLogger, heartbeatMs: 1000, leaseMs: 6000, reapMs: 1000, recordTtlMs: 10_000, stallLimit: 1, promote: false, children: () => [],
    });
    const alive = async () => (await Promise.all(ids.map((id) => t.redis.exists(t.keys.job(id, t.keys.jobTag("default")))))).filter(Boolean).length;

    expect(await m.clean()).toBe(0);
    expect(await alive()).toBe(30);
    clock.advance(11_000); // past finished retention, not failed
    expect(await m.clean()).toBe(20);
    expect(await alive()).toBe(10);
    expect(await t.redis.zcard(t.keys.finished("default"))).toBe(0);
    clock.advance(10_000);
    expect(await m.clean()).toBe(10);
    expect(await alive()).toBe(0);
    expect(await t.redis.zcard(t.keys.failed("default"))).toBe(0);
  });
});
