/** decodeJob reads a job hash in both shapes (HGETALL object, a script's flat array) the same way. */
import { describe, expect, it } from "vitest";
import { decodeJob, encodeNewJob } from "../../src/queue/job-codec.js";
import type { Job } from "../../src/queue/types.js";

const full: Job = {
  id: "j1",
  method: "my_app.tasks.report",
  queue: "long",
  status: "queued",
  kwargs: { day: "2026-11-28", n: 3, nested: { ok: true } },
  timeout: 1500,
  attempt: 0,
  createdAt: 1_764_000_000_000,
  stalls: 0,
  retries: 0,
  jobName: "nightly",
  task: "cron|0 2 * * *|my_app.tasks.report",
  onFailure: "my_app.alerts.page",
  parentId: "p1",
  retry: { max: 3, backoff: "exponential", delay: 1, jitter: 0.1 },
  scheduledFor: 1_764_000_060_000,
  catchup: true,
  atFront: true,
  dependsOn: ["a", "b"],
  allowFailure: true,
};

const flat = (h: Record<string, string>) => Object.entries(h).flat();

describe("decodeJob", () => {
  it("gives back what encodeNewJob wrote (with the key's id), from an object and from a flat array", () => {
    const h = { ...encodeNewJob(full), status: "queued" };
    expect(decodeJob(h, "j1")).toEqual(full);
    expect(decodeJob(flat(h), "j1")).toEqual(full);
  });

  it("stores neither the id (it is in the key) nor the counters that start at 0; they read back as 0", () => {
    const h = encodeNewJob(full);
    expect(Object.keys(h).filter((k) => ["id", "attempt", "stalls", "retries"].includes(k))).toEqual([]);
    expect(decodeJob({ ...h, status: "queued" }, "j1")).toMatchObject({ id: "j1", attempt: 0, stalls: 0, retries: 0 });
    // hashes written before stay readable: a stored id wins over none given
    expect(decodeJob({ ...h, id: "old", status: "queued" }).id).toBe("old");
  });

  it("reads the fields scripts add (numbers, strings, JSON) and leaves absent flags unset", () => {
    const h = {
      id: "j2", method: "a.b", queue: "short", status: "failed", kwargs: "{}", timeout: "5", attempt: "2", createdAt: "1", stalls: "1",
      startedAt: "10", endedAt: "20", worker: "w1", error: JSON.stringify({ name: "Error", message: "boom" }), result: "[1,2]",
      atFront: "0", allowFailure: "0", catchup: "0", unknownField: "x",
    };
    const job = decodeJob(flat(h));
    expect(job).toMatchObject({ status: "failed", attempt: 2, startedAt: 10, endedAt: 20, worker: "w1", error: { message: "boom" }, result: [1, 2], catchup: false });
    expect("atFront" in job || "allowFailure" in job || "unknownField" in job).toBe(false);
    expect(decodeJob(h)).toEqual(job);
  });

  it("notes a kwargs value that is not JSON (the worker fails the job with it), and reads an absent one as {}", () => {
    const bad = decodeJob(["id", "x", "kwargs", "not json"]);
    expect(bad.corrupt).toMatch(/^job hash field kwargs is not valid JSON: /);
    expect(bad.kwargs).toEqual({});
    expect(decodeJob(["id", "x"]).kwargs).toEqual({});
  });
});
