import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { manualClock } from "../../src/base/clock.js";
import { throttle } from "../../src/patterns/throttle.js";

/** A seeded PRNG so the timings are random-looking but the test is repeatable. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A fake clock whose sleeps overshoot like real timers do (0..15 ms late), without real time passing. */
function fakeTime(seed: number) {
  const clock = manualClock(0);
  const rand = prng(seed);
  const sleep = async (ms: number) => clock.advance(ms + Math.floor(rand() * 16));
  return { clock, sleep, rand };
}

describe("throttle", () => {
  it("holds its rate within 5% over 200 items, never early, and returns results in order", async () => {
    const { clock, sleep, rand } = fakeTime(7);
    const starts: number[] = [];
    const results = await throttle(Array.from({ length: 200 }, (_, i) => i), { perMinute: 600, clock, sleep }, (item, index) => {
      starts.push(clock());
      clock.advance(Math.floor(rand() * 60)); // the work takes 0..60 ms of the 100 ms interval
      return item * 2 + index;
    });
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => i * 3));
    const span = starts.at(-1)! - starts[0]!;
    const ideal = 199 * 100;
    expect(Math.abs(span - ideal) / ideal).toBeLessThan(0.05);
    // Never ahead of schedule: item i starts no earlier than start + i * interval.
    starts.forEach((s, i) => expect(s).toBeGreaterThanOrEqual(starts[0]! + i * 100));
  });

  it("does not drift where the reference's sleep(interval - elapsed) loop does", async () => {
    const interval = 100;
    const ref = fakeTime(11);
    let last = 0;
    for (let i = 0; i < 200; i++) {
      const start = ref.clock();
      last = start;
      ref.clock.advance(Math.floor(ref.rand() * 60));
      const elapsed = ref.clock() - start;
      if (elapsed < interval) await ref.sleep(interval - elapsed);
    }
    const referenceLate = last - 199 * interval; // the reference's error grows with every item

    const ours = fakeTime(11);
    const starts: number[] = [];
    await throttle(Array.from({ length: 200 }), { perMinute: 600, clock: ours.clock, sleep: ours.sleep }, () => {
      starts.push(ours.clock());
      ours.clock.advance(Math.floor(ours.rand() * 60));
    });
    const oursLate = starts.at(-1)! - 199 * interval;
    expect(referenceLate).toBeGreaterThan(199 * 3); // ~7.5 ms lost per item on average
    expect(oursLate).toBeLessThanOrEqual(15); // one overshoot at most, never accumulated
  });

  it("after a slow item, catches up by one item at most instead of bursting", async () => {
    const { clock, sleep } = fakeTime(3);
    const starts: number[] = [];
    await throttle(Array.from({ length: 30 }, (_, i) => i), { perMinute: 600, clock, sleep }, (i) => {
      starts.push(clock());
      if (i === 5) clock.advance(2_000); // twenty intervals
    });
    // Any 100 ms window holds at most 2 starts (the configured one plus one catch-up).
    for (const s of starts) expect(starts.filter((x) => x >= s && x < s + 100).length).toBeLessThanOrEqual(2);
    // Items 6 and 7 start at once when the stall ends (one catch-up), not the 20 overdue ones.
    const stallEnd = starts[5]! + 2_000;
    expect(starts[6]).toBe(stallEnd);
    expect(starts[7]).toBe(stallEnd);
    // Then the pace is back to one per interval, each on or after its slot.
    starts.slice(8).forEach((s, j) => expect(s).toBeGreaterThanOrEqual(stallEnd + (j + 1) * 100));
    expect(starts.at(-1)! - stallEnd).toBeLessThan(22 * 100 + 16);
  });

  it("the rate bound holds for any work durations (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: 400 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 1000 }), async (work, seed) => {
        const { clock, sleep } = fakeTime(seed);
        const starts: number[] = [];
        await throttle(work, { perMinute: 600, clock, sleep }, (ms) => {
          starts.push(clock());
          clock.advance(ms);
        });
        for (const s of starts) expect(starts.filter((x) => x >= s && x < s + 100).length).toBeLessThanOrEqual(2);
      }),
      { numRuns: 200 },
    );
  });

  it("accepts async iterables, stops on abort, and rejects a bad rate with a clear message", async () => {
    const { clock, sleep } = fakeTime(1);
    async function* gen() {
      yield "a";
      yield "b";
    }
    expect(await throttle(gen(), { perMinute: 60, clock, sleep }, (x) => x.toUpperCase())).toEqual(["A", "B"]);

    const controller = new AbortController();
    const seen: number[] = [];
    await expect(
      throttle([1, 2, 3], { perMinute: 60, clock, sleep, signal: controller.signal }, (x) => {
        seen.push(x);
        if (x === 2) controller.abort(new Error("stop now"));
      }),
    ).rejects.toThrow("stop now");
    expect(seen).toEqual([1, 2]);

    await expect(throttle([1], { perMinute: 0 }, (x) => x)).rejects.toThrow("throttle: perMinute must be a positive number, got 0");
  });
});
