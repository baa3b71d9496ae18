/**
 * RateGate (src/worker/child/rate-gate.ts) against real Redis, with a manual clock: slots are spent only
 * on jobs actually dequeued, a refused queue cools for the limiter's retryInMs and is left out of
 * the dequeue, and unlimited queues never touch the limiter. Also the limiter's key lifetime, on
 * which the limit across processes depends.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { manualClock } from "../../src/base/clock.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import type { QueueEnv } from "../../src/queue/context.js";
import type { Job } from "../../src/queue/types.js";
import { gatedDequeue, RateGate } from "../../src/worker/child/rate-gate.js";
import { acquireRateSlot } from "../../src/worker/child/rate-limit.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("worker-rate-gate");
});
afterAll(async () => {
  await t.cleanup();
});

function setup(): { env: QueueEnv; clock: ReturnType<typeof manualClock> } {
  const clock = manualClock(1_800_000_000_000);
  const env: QueueEnv = {
    redis: t.redis,
    keys: t.keys,
    clock,
    queues: {
      api: { timeout: 30, workers: 1, concurrency: 1, rateLimit: { max: 2, per: 1 } },
      default: { timeout: 30, workers: 1, concurrency: 1 },
    },
    retention: { finished: 60, failed: 60 },
  };
  return { env, clock };
}

const take = (env: QueueEnv, gate: RateGate) => gatedDequeue(env, gate, { queues: ["api", "default"], worker: "w1", leaseMs: 10_000 }, (e) => { throw e; });

describe("RateGate", () => {
  it("spends slots only on dequeued jobs; a full window cools the queue and the next queue is served", async () => {
    const { env, clock } = setup();
    await t.redis.del(t.keys.queue("api"), t.keys.queue("default"), t.keys.rateLimit("api"));
    const gate = new RateGate(env, ["api", "default"]);
    expect(gate.active).toBe(true);

    // Empty queues: the slot taken for api is given back.
    expect(await take(env, gate)).toBeNull();
    expect(await t.redis.zcard(t.keys.rateLimit("api"))).toBe(0);

    const api = await Promise.all([1, 2, 3].map(() => enqueueWith(env, "x.tasks.a", { queue: "api" }) as Promise<Job>));
    const other = (await enqueueWith(env, "x.tasks.b", { queue: "default" })) as Job;
    expect((await take(env, gate))?.id).toBe(api[0]!.id);
    clock.advance(100);
    expect((await take(env, gate))?.id).toBe(api[1]!.id);
    expect(await t.redis.zcard(t.keys.rateLimit("api"))).toBe(2);
    clock.advance(100);
    // Window full: api cools until its first slot leaves (at +1000), default is served meanwhile.
    const leftOut = gate.exclusions;
    expect((await take(env, gate))?.id).toBe(other.id);
    expect(gate.exclusions).toBe(leftOut + 1); // burst mode may not call this round "drained"
    expect(gate.openQueues(clock())).toEqual(["default"]);
    expect(gate.idleWait(1)).toEqual({ queues: ["default"], seconds: 0.8 });
    expect(await take(env, gate)).toBeNull();
    clock.advance(800);
    expect(gate.openQueues(clock())).toEqual(["api", "default"]);
    expect((await take(env, gate))?.id).toBe(api[2]!.id);
  });

  it("is inert for queues without a limit: no limiter key is ever written", async () => {
    const { env } = setup();
    const gate = new RateGate(env, ["default"]);
    expect(gate.active).toBe(false);
    const job = (await enqueueWith(env, "x.tasks.b", { queue: "default" })) as Job;
    expect((await gatedDequeue(env, gate, { queues: ["default"], worker: "w1", leaseMs: 10_000 }, () => {}))?.id).toBe(job.id);
    expect(await t.redis.exists(t.keys.rateLimit("default"))).toBe(0);
    expect(gate.idleWait(1)).toEqual({ queues: ["default"], seconds: 1 });
  });
});

describe("the shared limiter under the gate (ratelimit_acquire.lua)", () => {
  it("a caller whose clock reads behind still sees the slots of its window after their TTL would have run out", async () => {
    const { env } = setup();
    const limited = { ...env, queues: { api: { rateLimit: { max: 2, per: 0.2 } } } };
    await t.redis.del(t.keys.rateLimit("api"));
    const start = Date.now();
    expect((await acquireRateSlot(limited, "api", start)).ok).toBe(true);
    expect((await acquireRateSlot(limited, "api", start + 1)).ok).toBe(true);
    // Real time passes one window (the server's clock: the key's TTL); this caller's clock says
    // start + 150, inside the window of the two grants: it must be refused.
    await new Promise((r) => setTimeout(r, 260));
    expect(await acquireRateSlot(limited, "api", start + 150)).toEqual({ ok: false, retryInMs: 50 });
  });
});

describe("out-of-order callers", () => {
  it("a call whose now is behind one already recorded is counted against every slot of its window", async () => {
    const { env } = setup();
    const limited = { ...env, queues: { api: { rateLimit: { max: 5, per: 1 } } } };
    await t.redis.del(t.keys.rateLimit("api"));
    const t0 = 1_800_000_000_000;
    for (let i = 0; i < 5; i++) expect((await acquireRateSlot(limited, "api", t0 + i)).ok).toBe(true);
    // Process B's clock has moved on: the first four slots left its window, it gets one.
    expect((await acquireRateSlot(limited, "api", t0 + 1003)).ok).toBe(true);
    // Process A read its clock a little earlier and its call arrives now: [t0, t0 + 1000) already
    // holds five slots, so it must be refused (it was granted when B's call trimmed them away).
    expect(await acquireRateSlot(limited, "api", t0 + 998)).toEqual({ ok: false, retryInMs: 2 });
    expect((await acquireRateSlot(limited, "api", t0 + 1004)).ok).toBe(true);
  });
});
