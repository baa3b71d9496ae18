/** leasedJobs: the jobs a worker holds leases on, read from Redis, with their hard deadlines. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { completeJob, dequeue } from "../../src/queue/lifecycle.js";
import { leasedJobs } from "../../src/worker/leased-jobs.js";
import { T0, queueFixture, type QueueFixture } from "../queue/helpers.js";

let f: QueueFixture;
beforeAll(async () => {
  f = await queueFixture("leased-jobs", { "app.tasks.a": () => null });
});
afterAll(async () => {
  await f.t.cleanup();
});

describe("leasedJobs", () => {
  it("lists only the worker's started jobs, on the queues asked, with deadline and timeout message", async () => {
    await enqueueWith(f.env, "app.tasks.a", { queue: "short", jobId: "mine-short" });
    await enqueueWith(f.env, "app.tasks.a", { queue: "default", jobId: "mine-own-timeout", timeout: 7 });
    await enqueueWith(f.env, "app.tasks.a", { queue: "default", jobId: "theirs" });
    await enqueueWith(f.env, "app.tasks.a", { queue: "default", jobId: "mine-done" });
    await enqueueWith(f.env, "app.tasks.a", { queue: "long", jobId: "mine-long" });
    const take = (worker: string, queue: string) => dequeue(f.env, { queues: [queue], worker, leaseMs: 60_000 });
    await take("w1", "short");
    await take("w1", "default");
    await take("w2", "default");
    const done = await take("w1", "default");
    await completeJob(f.env, { job: done!, worker: "w1", result: null });
    await take("w1", "long");

    const leased = await leasedJobs(f.env, "w1", ["short", "default"]);
    const short = f.env.queues.short!.timeout * 1000;
    expect(leased.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: "mine-own-timeout", queue: "default", deadline: T0 + 7000, limit: "timed out after 7 s (job timeout)", method: "app.tasks.a", startedAt: T0 },
      { id: "mine-short", queue: "short", deadline: T0 + short, limit: `timed out after ${short / 1000} s (queue short timeout)`, method: "app.tasks.a", startedAt: T0 },
    ]);
    expect(await leasedJobs(f.env, "w3", ["short", "default", "long"])).toEqual([]);
    expect(await leasedJobs(f.env, "w1", [])).toEqual([]);
  });
});
