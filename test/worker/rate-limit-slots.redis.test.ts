import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { acquireRateSlot, releaseRateSlot } from "../../src/worker/child/rate-limit.js";
import { spawnFixture } from "../patterns/fixtures/spawn.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("ratelimit");
});
afterAll(async () => {
  await t.cleanup();
});

const env = (queues: Record<string, { rateLimit?: { max: number; per: number } }>) => ({
  redis: t.redis,
  keys: t.keys,
  queues,
});

/** The most grants inside any window [t, t + windowMs). */
function busiestWindow(grants: number[], windowMs: number): number {
  const sorted = [...grants].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j]! < sorted[i]! + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

describe("acquireRateSlot", () => {
  it("grants max slots per window, then says exactly when the next one frees up", async () => {
    const e = env({ mail: { rateLimit: { max: 5, per: 1 } } });
    for (let i = 0; i < 5; i++) expect((await acquireRateSlot(e, "mail", 10_000 + i)).ok).toBe(true);
    expect(await acquireRateSlot(e, "mail", 10_005)).toEqual({ ok: false, retryInMs: 995 });
    expect(await acquireRateSlot(e, "mail", 10_999)).toEqual({ ok: false, retryInMs: 1 });
    // At 11 000 the first slot (10 000) has left the window [t - 1000, t].
    expect((await acquireRateSlot(e, "mail", 11_000)).ok).toBe(true);
    expect((await acquireRateSlot(e, "mail", 11_000)).ok).toBe(false);
    expect(await t.redis.pttl(t.keys.rateLimit("mail"))).toBeGreaterThan(0); // no key lives forever
  });

  it("a queue without rateLimit is never limited and costs no Redis write", async () => {
    const e = env({ free: {} });
    for (let i = 0; i < 50; i++) expect(await acquireRateSlot(e, "free", 1)).toEqual({ ok: true });
    expect(await t.redis.exists(t.keys.rateLimit("free"))).toBe(0);
    expect(await acquireRateSlot(e, "not-configured", 1)).toEqual({ ok: true });
  });

  it("a released (unused) slot is available again at once", async () => {
    const e = env({ one: { rateLimit: { max: 1, per: 60 } } });
    const first = await acquireRateSlot(e, "one", 5_000);
    expect(first.ok).toBe(true);
    expect((await acquireRateSlot(e, "one", 5_001)).ok).toBe(false);
    if (!first.ok || !first.slot) throw new Error("expected a slot id");
    expect(await releaseRateSlot(e, "one", first.slot)).toBe(true);
    expect((await acquireRateSlot(e, "one", 5_002)).ok).toBe(true);
  });

  it("rejects a bad limit with the config key to fix", async () => {
    await expect(acquireRateSlot(env({ q: { rateLimit: { max: 0, per: 1 } } }), "q", 1)).rejects.toThrow(
      "queues.q.rateLimit.max must be an integer >= 1, got 0",
    );
    await expect(acquireRateSlot(env({ q: { rateLimit: { max: 1, per: -2 } } }), "q", 1)).rejects.toThrow(
      "queues.q.rateLimit.per must be a positive number of seconds, got -2",
    );
  });

  it("holds across two processes hitting the same limiter", async () => {
    const max = 20;
    const perSeconds = 0.5;
    const durationMs = 2000;
    const windowMs = perSeconds * 1000;
    const args = [t.url, t.prefix, "shared", max, perSeconds, durationMs];
    const a = spawnFixture("../../worker/fixtures/rate-limited-worker.mjs", args);
    const b = spawnFixture("../../worker/fixtures/rate-limited-worker.mjs", args);
    // Process start-up is the machine's, not the limiter's: wait for it up to the test's own bound.
    await Promise.all([a.step("start", 45_000), b.step("start", 45_000)]);
    await t.redis.set(`${t.keys.root}:test:go-at`, String(Date.now() + 300));
    expect(await a.exited(durationMs + 20_000)).toBe(0);
    expect(await b.exited(durationMs + 20_000)).toBe(0);
    const [ga, gb] = [a, b].map((p) => p.lines.at(-1)!.grants as number[]);
    const refusals = [a, b].flatMap((p) => p.lines.at(-1)!.refusals as number[]);
    const grants = [...ga!, ...gb!];
    // Safety: together they never exceeded max in any window, so at most 80 in the 2 s.
    expect(busiestWindow(grants, windowMs)).toBeLessThanOrEqual(max);
    expect(grants.length).toBeLessThanOrEqual((durationMs / windowMs) * max);
    // They competed: the window filled and someone was refused.
    expect(refusals.length).toBeGreaterThan(0);
    // Liveness, from the work rather than a guessed rate: every refusal was for a full window,
    // i.e. at least max slots granted within one window of it (the script counts slots from
    // now - window on, later ones included: callers' clocks interleave).
    for (const r of refusals) expect(grants.filter((g) => g > r - windowMs).length).toBeGreaterThanOrEqual(max);
  }, 90_000);
});
