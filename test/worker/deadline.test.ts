import { describe, expect, it } from "vitest";
import { FALLBACK_TIMEOUT_SECONDS, hardDeadline, jobLimit, softDeadline, timeoutMessage } from "../../src/worker/deadline.js";

const queues = {
  short: { timeout: 5, workers: 1, concurrency: 1 },
  long: { timeout: 1500, workers: 1, concurrency: 1 },
};

describe("job limits", () => {
  it("names the queue when the job's timeout is its queue's", () => {
    const limit = jobLimit({ queue: "short", timeout: 5 }, queues);
    expect(limit).toEqual({ seconds: 5, source: "queue short timeout" });
    expect(timeoutMessage(limit)).toBe("timed out after 5 s (queue short timeout)");
  });

  it("names the job when it set its own timeout", () => {
    expect(timeoutMessage(jobLimit({ queue: "short", timeout: 2 }, queues))).toBe("timed out after 2 s (job timeout)");
    expect(timeoutMessage(jobLimit({ queue: "long", timeout: 0.5 }, queues))).toBe("timed out after 0.5 s (job timeout)");
  });

  it("falls back to the queue, then to the default, when the job has none", () => {
    expect(jobLimit({ queue: "long", timeout: 0 }, queues)).toEqual({ seconds: 1500, source: "queue long timeout" });
    expect(jobLimit({ queue: "other", timeout: Number.NaN }, queues)).toEqual({ seconds: FALLBACK_TIMEOUT_SECONDS, source: "default timeout" });
  });

  it("puts the soft deadline shortly before the hard one: 10%, between 100 ms and 2 s", () => {
    const at = 1_000_000;
    const one = { seconds: 1, source: "x" };
    expect(hardDeadline(at, one)).toBe(at + 1000);
    expect(softDeadline(at, one)).toBe(at + 900);
    expect(softDeadline(at, { seconds: 0.5, source: "x" })).toBe(at + 400);
    expect(softDeadline(at, { seconds: 300, source: "x" })).toBe(at + 298_000);
    expect(softDeadline(at, { seconds: 0.05, source: "x" })).toBe(at);
  });
});
