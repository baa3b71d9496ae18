/** Two real processes contend for one lock. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { spawnFixture } from "./fixtures/spawn.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("lock-proc");
});
afterAll(async () => {
  await t.cleanup();
});

// argv of lock-contender.ts: url prefix name ttlMs waitMs holdMs [stallMs]
const contender = (name: string, ttl: number, wait: number, hold: number | "stdin", stall = 0) =>
  spawnFixture("lock-contender.ts", [t.url, t.prefix, name, ttl, wait, hold, stall]);

describe("locks across processes", () => {
  it("while one process holds the lock, another gets acquired:false, and a third waits and then runs", async () => {
    const holder = contender("shared", 5000, 0, "stdin");
    await holder.step("acquired");
    const impatient = contender("shared", 5000, 0, 0);
    const patient = contender("shared", 5000, 10_000, 0);
    expect(await impatient.exited()).toBe(0);
    expect(impatient.lines.at(-1)).toEqual({ step: "done", result: { acquired: false } });
    expect(impatient.lines.some((l) => l.step === "acquired")).toBe(false);
    await patient.step("start");
    expect(patient.lines.some((l) => l.step === "acquired")).toBe(false);
    holder.send("let go");

    expect(await holder.exited()).toBe(0);
    expect(await patient.exited()).toBe(0);
    expect(patient.lines.at(-1)).toEqual({
      step: "done",
      result: { acquired: true, value: { abortedInside: false }, lost: false },
    });
    expect(holder.lines.at(-1)).toEqual({
      step: "done",
      result: { acquired: true, value: { abortedInside: false }, lost: false },
    });
    expect(await t.redis.exists(t.keys.lock("shared"))).toBe(0);
  });

  it("a process that stalls past its ttl loses the lock to a waiting process and leaves it alone", async () => {
    // The staller blocks its event loop for 1.2 s on a 300 ms lease, then holds until told.
    const staller = contender("stall", 300, 0, "stdin", 1200);
    await staller.step("acquired");
    const waiter = contender("stall", 5000, 10_000, "stdin");
    await waiter.step("acquired");
    const tokenOfWaiter = await t.redis.get(t.keys.lock("stall"));
    expect(tokenOfWaiter).toMatch(/^[0-9a-f]{32}$/);
    staller.send("let go");
    expect(await staller.exited()).toBe(0);
    expect(staller.lines.at(-1)).toEqual({
      step: "done",
      result: { acquired: true, value: { abortedInside: true }, lost: true },
    });
    // The stale holder's release (while the waiter still holds) did not delete the waiter's lock.
    expect(await t.redis.get(t.keys.lock("stall"))).toBe(tokenOfWaiter);
    waiter.send("let go");
    expect(await waiter.exited()).toBe(0);
    expect(waiter.lines.at(-1)).toMatchObject({ result: { acquired: true, lost: false } });
  });
});
