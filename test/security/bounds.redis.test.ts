/**
 * Bounds: timers past 2^31-1 ms are chunked (a 30-day job timeout, a 30-day queue timeout's
 * stop grace, a lock with a huge ttl), and documented limits refuse what would fill Redis or
 * never end: kwargs size and depth, delay, retry max and delay, timeouts, workers per queue,
 * queue names that are Object.prototype keys. Refusals write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { resolveConfig } from "../../src/settings/resolve.js";
import { EnqueueError } from "../../src/base/errors.js";
import { validateHooks } from "../../src/hooks/validate.js";
import { MAX_TIMER_MS, setLongTimeout, timerMs } from "../../src/base/long-timeout.js";
import { runWithLock } from "../../src/patterns/lock.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { encodeResult } from "../../src/queue/job-codec.js";
import { DEFAULT_LIMITS, useLimits } from "../../src/config/limits.js";
import { retryDelayMs } from "../../src/queue/retry.js";
import type { Job } from "../../src/queue/types.js";
import { TEST_REDIS_URL, testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { type Watched, stoppedAfterEach } from "../helpers/spawn.js";
import { readJob, SECURITY_QUEUES, securityWorker } from "./helpers.js";

let t: TestRedis;
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const procs = stoppedAfterEach();
beforeAll(async () => {
  t = await testRedis("sec-bounds");
});
afterAll(async () => {
  useLimits(undefined);
  await t.cleanup();
});

const env = () => ({ redis: t.redis, keys: t.keys, clock: () => Date.now(), queues: SECURITY_QUEUES, retention: { finished: 600, failed: 600 } });
const hooks = (definition: Record<string, unknown>) => ({ file: "/app/hooks.ts", definition, tasks: [] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function refused(options: Record<string, unknown>, queue?: string): Promise<EnqueueError> {
  const before = await t.keyCount();
  const err = await enqueueWith(env(), "app.tasks.record", { ...(queue ? { queue } : {}), ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EnqueueError);
  expect(await t.keyCount()).toBe(before);
  return err as EnqueueError;
}

describe("timers past 2^31-1 ms", () => {
  it("setLongTimeout waits in steps; timerMs caps a period", async () => {
    let fired = 0;
    const long = setLongTimeout(() => fired++, 30 * 24 * 3600 * 1000);
    setLongTimeout(() => fired++, 10);
    await sleep(80);
    long.clear();
    expect(fired).toBe(1);
    expect(timerMs(1e12)).toBe(MAX_TIMER_MS);
    expect(timerMs(Infinity)).toBe(MAX_TIMER_MS);
  });

  it("a 30-day job timeout does not fire at once", async () => {
    const rec = `${t.keys.root}:rec-month`;
    const id = ((await enqueueWith(env(), "app.tasks.waits", { rec, ms: 400, queue: "month" })) as Job).id;
    const w = securityWorker(t, {}, "month");
    procs.push(w);
    await waitFor(async () => ["finished", "failed"].includes((await readJob(t, id)).status), 30_000);
    expect((await readJob(t, id)).status).toBe("finished");
    expect((await w.stop()).code).toBe(0);
  });

  it("SIGTERM with a 30-day queue timeout waits for the running job instead of forcing a stop", async () => {
    const rec = `${t.keys.root}:rec-stop`;
    const id = ((await enqueueWith(env(), "app.tasks.waits", { rec, ms: 1500, queue: "month" })) as Job).id;
    const w = securityWorker(t, {}, "month");
    procs.push(w);
    await waitFor(async () => (await readJob(t, id)).status === "started", 30_000);
    const exit = await w.stop(20_000);
    expect(exit.code).toBe(0);
    expect((await readJob(t, id)).status).toBe("finished");
    expect(w.output()).not.toMatch(/forcing stop/);
  });

  it("runWithLock with a huge ttl renews at a sane pace", async () => {
    // A real connection that counts the commands it sends (the lock's scripts among them).
    let sent = 0;
    class Counting extends Redis {
      override sendCommand(...args: Parameters<Redis["sendCommand"]>): ReturnType<Redis["sendCommand"]> {
        sent++;
        return super.sendCommand(...args);
      }
    }
    const redis = new Counting(TEST_REDIS_URL);
    await redis.ping();
    const before = sent;
    const result = await runWithLock("huge", () => sleep(300), { redis, keys: t.keys, ttl: 1e10 });
    const used = sent - before;
    redis.disconnect();
    expect(result.acquired).toBe(true);
    // acquire and release (a few commands), no renewal: the period is capped at MAX_TIMER_MS, not clamped to 1 ms.
    expect(used).toBeLessThanOrEqual(6);
  });
});

describe("limits at enqueue", () => {
  it("kwargs too large or too deep: an EnqueueError naming the limit; nothing written", async () => {
    expect((await refused({ blob: "x".repeat(2 * 1024 * 1024) })).message).toBe("enqueue: kwargs are 2 MB as JSON; the limit is 1 MB (hooks limits.kwargsBytes)");
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) deep = { d: deep };
    const e = await refused({ deep });
    expect(e.message).toMatch(/nested deeper than 64 levels \(hooks limits\.kwargsDepth\); flatten it$/);
    expect(e.message.length).toBeLessThan(200);
  });

  it("delay, at, retry and timeout past their limits", async () => {
    expect((await refused({ delay: 1e20 })).message).toBe("enqueue: delay 1e+20 s is over the limit of 31622400 s (hooks limits.delaySeconds)");
    expect((await refused({ delay: 1e300 })).code).toBe("BAD_DELAY");
    expect((await refused({ at: Date.now() + 400 * 24 * 3600 * 1000 })).code).toBe("BAD_AT");
    expect((await refused({ retry: { max: 1e9 } })).message).toMatch(/retry: max 1e\+9 is over the limit of 1000 \(hooks limits\.retryMax\)/);
    expect((await refused({ retry: { max: 3, delay: 1e300 } })).message).toMatch(/retry: delay 1e\+300 s is over the limit/);
    expect((await refused({ timeout: 1e9 })).message).toMatch(/timeout 1e\+9 s is over the limit of 31622400 s/);
  });

  it("queue names that are Object.prototype keys are unknown queues", async () => {
    for (const q of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
      expect((await refused({}, q)).code, q).toBe("UNKNOWN_QUEUE");
    }
  });

  it("exponential backoff is capped; a result past the limit is not stored", () => {
    expect(retryDelayMs({ max: 1000, backoff: "exponential", delay: 60, jitter: 0 }, 999)).toBe(DEFAULT_LIMITS.retryDelaySeconds * 1000);
    useLimits({ resultBytes: 1000 });
    try {
      expect(JSON.parse(encodeResult("y".repeat(5000)))).toEqual({ unstored: "result of 4.9 KB as JSON is over the limit of 1000 B (hooks limits.resultBytes)" });
      expect(encodeResult({ ok: 1 })).toBe('{"ok":1}');
    } finally {
      useLimits(undefined);
    }
  });
});

describe("limits in hooks", () => {
  it("workers, concurrency and timeouts of queues are bounded; hooks limits raise a bound", () => {
    const problems = (def: Record<string, unknown>) => validateHooks(def, "/app/hooks.ts", { unknownKeys: "all" }).map((p) => p.message);
    expect(problems({ queues: { big: { workers: 100_000 } } })[0]).toMatch(/workers 100000 is over the limit of 256 \(hooks limits\.workersPerQueue\)/);
    expect(problems({ queues: { big: { timeout: 1e12 } } })[0]).toMatch(/timeout 1e\+12 s is over the limit/);
    expect(problems({ queues: { big: { workers: 300 } }, limits: { workersPerQueue: 500 } })).toEqual([]);
    expect(problems({ limits: { workersPerQueue: -1 } })[0]).toMatch(/workersPerQueue must be a number > 0/);
    expect(problems({ limits: { nope: 1 } })[0]).toMatch(/unknown limit "nope"/);
    expect(() => resolveConfig({ hooks: hooks({ queues: { big: { workers: 100_000 } } }), env: {} })).toThrow(/workersPerQueue/);
    useLimits(undefined);
  });

  it("queue names that are Object.prototype keys are refused; the queue map has no prototype", () => {
    const messages = validateHooks(JSON.parse('{"queues":{"__proto__":{"timeout":1},"toString":{"timeout":1},"constructor":{}}}'), "/app/hooks.ts", { unknownKeys: "all" }).map((p) => p.message);
    expect(messages).toHaveLength(3);
    for (const m of messages) expect(m).toMatch(/is a built-in property name of JavaScript objects/);
    const queues = resolveConfig({ hooks: hooks({ queues: { reports: { timeout: 60 } } }), env: {} }).queues;
    expect(Object.getPrototypeOf(queues)).toBeNull();
    expect((queues as Record<string, unknown>).toString).toBeUndefined();
  });
});
