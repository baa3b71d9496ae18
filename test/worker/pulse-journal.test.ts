/** The child's pulse journal (pure): what the supervisor hears, and when. */
import { describe, expect, it } from "vitest";
import { PulseJournal } from "../../src/worker/child/pulse-journal.js";
import { IDLE_PULSE_MS } from "../../src/worker/protocol.js";

const job = (id: string) => ({ id, queue: "default", deadline: 1000, limit: "timed out after 1 s (queue default timeout)" });

describe("PulseJournal", () => {
  it("sends the whole running set and the tally since the last pulse, then nothing until a change or the idle period", () => {
    const j = new PulseJournal();
    j.jobStarted(job("a"));
    j.jobStarted(job("b"));
    j.jobEnded("a", "finished");
    expect(j.nextPulse(0)).toEqual({ type: "pulse", running: [job("b")], finished: 1, failed: 0, rss: expect.any(Number) });
    expect(j.nextPulse(10)).toBeUndefined();
    j.jobEnded("b", "retry-scheduled");
    expect(j.nextPulse(20)).toEqual({ type: "pulse", running: [], finished: 0, failed: 1, rss: expect.any(Number) });
    // Nothing changed: a pulse still goes out once the idle period is over (a sign of life).
    expect(j.nextPulse(20 + IDLE_PULSE_MS - 1)).toBeUndefined();
    expect(j.nextPulse(20 + IDLE_PULSE_MS)).toEqual({ type: "pulse", running: [], finished: 0, failed: 0, rss: expect.any(Number) });
  });

  it("counts a job that starts and ends between two pulses without naming it", () => {
    const j = new PulseJournal();
    expect(j.nextPulse(0)).toMatchObject({ running: [] });
    for (const id of ["x", "y", "z"]) {
      j.jobStarted(job(id));
      j.jobEnded(id, id === "z" ? "failed" : "finished");
    }
    j.jobStarted(job("w"));
    j.jobEnded("w", "lease-lost");
    expect(j.nextPulse(5)).toEqual({ type: "pulse", running: [], finished: 2, failed: 1, rss: expect.any(Number) });
  });

  it("forced (before another note): only when something changed", () => {
    const j = new PulseJournal();
    expect(j.nextPulse(0, true)).toBeUndefined();
    j.jobStarted(job("a"));
    expect(j.nextPulse(0, true)).toMatchObject({ running: [job("a")] });
    expect(j.nextPulse(IDLE_PULSE_MS * 2, true)).toBeUndefined();
  });
});
