import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/base/clock.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { createLeaderLease, readLeader } from "../../src/scheduler/leader.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("leader");
});
afterAll(async () => {
  await t.cleanup();
});

describe("leader lease", () => {
  it("one holder at a time; renew and release are compare-and-set", async () => {
    const a = createLeaderLease({ redis: t.redis, keys: t.keys, clock: systemClock, ttlMs: 2000 });
    const b = createLeaderLease({ redis: t.redis, keys: t.keys, clock: systemClock, ttlMs: 2000 });
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    expect(await b.renew()).toBe(false);
    expect(await b.release()).toBe(false);
    expect((await readLeader(t.redis, t.keys))?.token).toBe(a.token);
    expect(await a.renew()).toBe(true);
    expect(await a.release()).toBe(true);
    expect(a.isLeader()).toBe(false);
    expect(await b.tryAcquire()).toBe(true);
    await b.release();
  });

  it("a follower takes over within two lease periods after the leader dies; events are written", async () => {
    const ttlMs = 600;
    const changes: string[] = [];
    const dead = createLeaderLease({ redis: t.redis, keys: t.keys, clock: systemClock, ttlMs });
    expect(await dead.tryAcquire()).toBe(true);
    // The leader "dies": it never renews again (no stop(), no release).
    const diedAt = Date.now();
    const follower = createLeaderLease({ redis: t.redis, keys: t.keys, clock: systemClock, ttlMs, onChange: (l) => changes.push(l ? "lead" : "lost") });
    follower.start();
    await waitFor(() => follower.isLeader(), 5000, 10);
    const takeover = Date.now() - diedAt;
    expect(takeover).toBeLessThanOrEqual(2 * ttlMs);
    expect(changes).toEqual(["lead"]);
    // It keeps the lease by renewing (well past one ttl).
    await new Promise((r) => setTimeout(r, ttlMs * 2));
    expect(follower.isLeader()).toBe(true);
    expect((await readLeader(t.redis, t.keys))?.token).toBe(follower.token);
    // The dead one has lost it by its own clock already.
    expect(dead.isLeader()).toBe(false);
    await follower.stop();
    expect(await readLeader(t.redis, t.keys)).toBeUndefined();
    expect(changes).toEqual(["lead", "lost"]);
    const events = (await t.redis.xrange(t.keys.events(), "-", "+")).map(([, f]) => JSON.parse(f[1]!) as { type: string; data: { leader: string } });
    expect(events.filter((e) => e.data?.leader === follower.token).map((e) => e.type)).toEqual(["leader.acquired", "leader.lost"]);
  });
});
