/**
 * StatusRecorder (currentJob().setStatus) throttling, with an injected clock and a fake writer:
 * at most one write per 200 ms, latest value wins, an event flag at most once a second, the
 * pending value written by a timer and always by flush(); bad records refused.
 */
import { describe, expect, it } from "vitest";
import { manualClock } from "../../src/base/clock.js";
import { StatusRecorder, STATUS_WRITE_INTERVAL_MS, statusRecord } from "../../src/runtime/status-recorder.js";
import type { StatusRecord } from "../../src/queue/types.js";
import { waitFor } from "../helpers/redis.js";

function recorder(start = 1_000_000) {
  const clock = manualClock(start);
  const written: Array<{ record: StatusRecord; event: boolean }> = [];
  const rec = new StatusRecorder(clock, async (record, event) => {
    written.push({ record, event });
    return true;
  });
  return { clock, written, rec };
}

describe("StatusRecorder", () => {
  it("a tight loop of 1000 updates over 1 s (by the clock) makes at most 5+1 writes plus the final one", async () => {
    const { clock, written, rec } = recorder();
    for (let i = 1; i <= 1000; i++) {
      clock.advance(1);
      void rec.set({ total: 1000, processed: i, status: "In Progress" });
    }
    await rec.flush();
    // writes at t = 1, 201, 401, 601, 801 (5) and the final flush
    expect(written.length).toBe(6);
    expect(rec.writes).toBe(6);
    expect(written.at(-1)!.record).toMatchObject({ processed: 1000, total: 1000, status: "In Progress", updatedAt: 1_001_000 });
    // events: the first write, then none until a second has passed
    expect(written.filter((w) => w.event).length).toBe(1);
    // each write carries the newest value at that time, in order
    const processed = written.map((w) => w.record.processed as number);
    expect([...processed].sort((a, b) => a - b)).toEqual(processed);
  });

  it("an event at most once a second over a longer run", async () => {
    const { clock, written, rec } = recorder();
    for (let i = 0; i < 50; i++) {
      await rec.set({ processed: i });
      clock.advance(STATUS_WRITE_INTERVAL_MS);
    }
    await rec.flush();
    expect(written.length).toBe(50); // spaced by exactly the interval: every one written
    const eventTimes = written.filter((w) => w.event).map((w) => w.record.updatedAt);
    for (let i = 1; i < eventTimes.length; i++) expect(eventTimes[i]! - eventTimes[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(eventTimes.length).toBe(10); // 50 x 200 ms = 10 s
  });

  it("a throttled value is written by the timer once the interval passed by the clock", async () => {
    const { clock, written, rec } = recorder();
    await rec.set({ processed: 1 });
    clock.advance(50);
    await rec.set({ processed: 2 }); // throttled: pending
    expect(written.length).toBe(1);
    clock.advance(200);
    await waitFor(() => written.length === 2, 2000);
    expect(written[1]!.record.processed).toBe(2);
    await rec.flush();
    expect(written.length).toBe(2); // nothing pending: flush writes nothing more
  });

  it("after the job ended, setStatus is ignored", async () => {
    const { written, rec } = recorder();
    await rec.flush();
    await rec.set({ processed: 1 });
    expect(written.length).toBe(0);
  });

  it("refuses bad records with a clear message naming the field", () => {
    expect(() => statusRecord({ total: -1 }, 0)).toThrow(/setStatus: total must be a number >= 0, got -1/);
    expect(() => statusRecord({ processed: Number.NaN }, 0)).toThrow(/processed must be a number/);
    expect(() => statusRecord({ status: 3 as unknown as string }, 0)).toThrow(/status must be a string/);
    expect(() => statusRecord({ when: new Date(0) }, 0)).toThrow(/status record\.when: Date/);
    expect(() => statusRecord({ blob: "x".repeat(20_000) }, 0)).toThrow(/keep it under/);
    expect(() => statusRecord(null as never, 0)).toThrow(/pass an object/);
    expect(statusRecord({ total: 3, processed: 1, status: "ok", phase: "load" }, 7)).toEqual({ total: 3, processed: 1, status: "ok", phase: "load", updatedAt: 7 });
  });
});
