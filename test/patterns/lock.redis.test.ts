import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { LockBusyError, LockLostError, runWithLock, withLock } from "../../src/patterns/lock.js";
import { channelHub } from "../../src/patterns/channel-hub.js";
import { SchedulerError } from "../../src/base/errors.js";
import { Redis } from "ioredis";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("lock");
});
afterAll(async () => {
  await t.cleanup();
});

const opts = (extra: object = {}) => ({ redis: t.redis, keys: t.keys, ...extra });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("runWithLock", () => {
  it("runs fn under the lock and deletes the lock afterwards", async () => {
    const result = await runWithLock(
      "basic",
      async () => {
        expect(await t.redis.exists(t.keys.lock("basic"))).toBe(1);
        return 42;
      },
      opts({ ttl: 1000 }),
    );
    expect(result).toEqual({ acquired: true, value: 42, lost: false });
    expect(await t.redis.exists(t.keys.lock("basic"))).toBe(0);
  });

  it("returns { acquired: false } (not null) while another holder has it", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = runWithLock("busy", () => held, opts({ ttl: 2000 }));
    await sleep(50);
    let ran = false;
    const second = await runWithLock("busy", () => (ran = true), opts({ ttl: 2000 }));
    expect(second).toEqual({ acquired: false });
    expect(ran).toBe(false);
    release();
    expect((await first).acquired).toBe(true);
  });

  it("a waiter is woken by the release notification, not by its poll", async () => {
    // The waiter polls once a minute and the holder's lease outlives the wait: only the
    // release notification can hand it the lock inside its 20 s.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = runWithLock("wake", () => held, opts({ ttl: 60_000 }));
    await sleep(30);
    const secondStarted = Date.now();
    const second = runWithLock("wake", () => Date.now(), opts({ ttl: 5000, wait: 20_000, poll: 60_000 }));
    await sleep(300);
    const releasedAt = Date.now();
    release();
    await first;
    const result = await second;
    expect(result.acquired).toBe(true);
    if (result.acquired) {
      expect(result.value - releasedAt).toBeLessThan(10_000);
      expect(result.value - secondStarted).toBeGreaterThanOrEqual(290);
    }
    // The waiter's subscription is gone: the shared subscriber connection was closed.
    expect(channelHub(t.redis).channels()).toEqual([]);
  });

  it("refuses a poll below 1 ms with one line naming it", async () => {
    await expect(runWithLock("p", () => 1, opts({ wait: 100, poll: 0 }))).rejects.toThrow(/poll must be >= 1/);
  });

  it("gives up after `wait` ms with { acquired: false }", async () => {
    await t.redis.set(t.keys.lock("stuck"), "someone-else", "PX", 10_000);
    const started = Date.now();
    const result = await runWithLock("stuck", () => 1, opts({ ttl: 1000, wait: 300 }));
    const took = Date.now() - started;
    expect(result).toEqual({ acquired: false });
    expect(took).toBeGreaterThanOrEqual(295);
    expect(took).toBeLessThan(1500);
    expect(await t.redis.get(t.keys.lock("stuck"))).toBe("someone-else");
  });

  it("a lock in its last millisecond (PTTL 0) is still held: never reported as acquired-then-lost", async () => {
    // Regression: PTTL answers 0 just before a key lapses, which once read as "acquired".
    let lost = 0;
    for (let i = 0; i < 200; i++) {
      await t.redis.set(t.keys.lock("edge"), "other", "PX", 2);
      const r = await runWithLock("edge", () => i, opts({ ttl: 1000 }));
      if (r.acquired && r.lost) lost++;
      await t.redis.del(t.keys.lock("edge"));
    }
    expect(lost).toBe(0);
  });

  it("a waiter takes the lock as soon as a crashed holder's lease expires", async () => {
    await t.redis.set(t.keys.lock("crashed"), "dead-holder", "PX", 300);
    const started = Date.now();
    const result = await runWithLock("crashed", () => "mine", opts({ ttl: 1000, wait: 3000 }));
    expect(result).toEqual({ acquired: true, value: "mine", lost: false });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("renewal keeps the lock alive well past its ttl while fn runs", async () => {
    const ttl = 150;
    const result = await runWithLock(
      "renewed",
      async ({ signal }) => {
        const seen: number[] = [];
        for (let i = 0; i < 6; i++) {
          await sleep(100); // 600 ms in total: four ttls
          seen.push(await t.redis.pttl(t.keys.lock("renewed")));
        }
        return { seen, aborted: signal.aborted };
      },
      opts({ ttl }),
    );
    expect(result.acquired).toBe(true);
    if (!result.acquired) return;
    expect(result.value.aborted).toBe(false);
    for (const left of result.value.seen) expect(left).toBeGreaterThan(0);
    expect(result.lost).toBe(false);
    expect(await t.redis.exists(t.keys.lock("renewed"))).toBe(0);
  });

  it("a holder that stalls past its ttl is told through its signal and does not delete the new holder's lock", async () => {
    const key = t.keys.lock("stale");
    let reason: unknown;
    const result = await runWithLock(
      "stale",
      async ({ signal }) => {
        const until = Date.now() + 400;
        while (Date.now() < until) {
          /* blocked event loop: no renewal can run, the 100 ms lease lapses */
        }
        // Another holder takes the expired lock. Same connection as the renewal, so Redis
        // sees this SET before the renewal that is about to fire.
        expect(await t.redis.set(key, "new-holder", "PX", 10_000, "NX")).toBe("OK");
        await new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          signal.addEventListener("abort", () => resolve());
        });
        reason = signal.reason;
        return "stopped";
      },
      opts({ ttl: 100 }),
    );
    expect(result).toEqual({ acquired: true, value: "stopped", lost: true });
    expect(reason).toBeInstanceOf(LockLostError);
    expect(await t.redis.get(key)).toBe("new-holder");
  });

  it("a holder that cannot reach Redis to renew is told once a ttl has passed without confirmation", async () => {
    const conn = new Redis(t.url, { maxRetriesPerRequest: 0 });
    conn.on("error", () => {});
    let reason: unknown;
    const started = Date.now();
    const result = await runWithLock(
      "unreachable",
      async ({ signal }) => {
        conn.disconnect(); // Redis gone for this holder: every renewal now fails
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
        reason = signal.reason;
        return Date.now() - started;
      },
      { redis: conn, keys: t.keys, ttl: 150 },
    );
    expect(result).toMatchObject({ acquired: true, lost: true });
    if (result.acquired) expect(result.value).toBeGreaterThanOrEqual(140);
    expect((reason as Error).message).toMatch(/lock "unreachable" lost .*could not renew for 150 ms/);
  });

  it("releases the lock when fn throws, and rethrows fn's error", async () => {
    await expect(
      runWithLock(
        "throws",
        () => {
          throw new Error("boom");
        },
        opts(),
      ),
    ).rejects.toThrow("boom");
    expect(await t.redis.exists(t.keys.lock("throws"))).toBe(0);
  });

  it("rejects bad arguments with a message naming them", async () => {
    await expect(runWithLock("", () => 1, opts())).rejects.toThrow(/lock name must be a non-empty string/);
    await expect(runWithLock("x", () => 1, opts({ ttl: 0 }))).rejects.toThrow(/runWithLock\("x"\): ttl must be/);
    await expect(runWithLock("x", () => 1, opts({ wait: -1 }))).rejects.toThrow(/wait must be >= 0/);
  });

  it("outside a job and without { redis } says how to provide a connection", async () => {
    const err = await runWithLock("nowhere", () => 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchedulerError);
    expect((err as SchedulerError).toLine()).toMatch(/runWithLock\("nowhere"\): no Redis connection.*pass \{ redis, keys \}/);
  });
});

describe("withLock", () => {
  it("wraps a task: per-call lock names, and ifLocked: throw raises LockBusyError", async () => {
    const sync = withLock<{ warehouse: string }>("sync", {
      ...opts({ ttl: 2000 }),
      ifLocked: "throw",
      nameFor: (kw) => `sync:${kw.warehouse}`,
    })(async (kw, { signal }) => {
      expect(signal.aborted).toBe(false);
      expect(await t.redis.exists(t.keys.lock(`sync:${kw.warehouse}`))).toBe(1);
      await sleep(100);
      return kw.warehouse.toUpperCase();
    });
    const a = sync({ warehouse: "a" });
    const b = sync({ warehouse: "b" }); // another name: runs at the same time
    await sleep(20);
    await expect(sync({ warehouse: "a" })).rejects.toBeInstanceOf(LockBusyError);
    expect(await a).toEqual({ acquired: true, value: "A", lost: false });
    expect(await b).toEqual({ acquired: true, value: "B", lost: false });
  });
});
