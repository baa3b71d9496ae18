/**
 * currentJob().setStatus() against real Redis: stored on the job hash (getJob().statusRecord),
 * throttled (writes counted by wrapping the real writer), the last value flushed before the
 * job's outcome is recorded, job.status events at most once a second, nothing written for a job
 * that is not started.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setActiveContext } from "../../src/queue/context.js";
import { enqueue } from "../../src/queue/enqueue.js";
import { completeJob, dequeue } from "../../src/queue/lifecycle.js";
import { getJob } from "../../src/queue/registry.js";
import { currentJob, runInJobContext } from "../../src/runtime/job-context.js";
import { scriptStatusWriter, type StatusWriter } from "../../src/runtime/status-recorder.js";
import { queueFixture, T0, type QueueFixture } from "./helpers.js";

let f: QueueFixture;
beforeEach(async () => {
  f = await queueFixture("status", { "my_app.tasks.t": () => 1 });
});
afterEach(async () => {
  setActiveContext(undefined);
  await f.t.cleanup();
});

async function statusEvents(id: string) {
  // the jobs here are of queue "default": their events are on its job tag
  const raw = await f.env.redis.xrange(f.env.keys.events(f.env.keys.jobTag("default")), "-", "+");
  return raw.map(([, fields]) => JSON.parse(fields[1]!)).filter((e) => e.type === "job.status" && e.jobId === id);
}

describe("setStatus on a running job", () => {
  it("1000 updates in a tight loop: at most ~5 writes a second, the last value on the job, <= 1 event a second", async () => {
    const job0 = await enqueue("my_app.tasks.t", { queue: "default" });
    const job = (await dequeue(f.env, { queues: ["default"], worker: "w", leaseMs: 60_000 }))!;
    const real = scriptStatusWriter(f.env, job.id, f.env.keys.jobTag(job.queue));
    const calls: boolean[] = [];
    const counted: StatusWriter = (record, withEvent) => {
      calls.push(withEvent);
      return real(record, withEvent);
    };
    await runInJobContext(
      job,
      f.env,
      async () => {
        for (let i = 1; i <= 1000; i++) {
          f.clock.advance(2); // 2 s of task time by the clock
          void currentJob()!.setStatus({ total: 1000, processed: i, status: i < 1000 ? "In Progress" : "Done", phase: "import" });
        }
      },
      { statusWriter: counted },
    );
    // 2000 ms at one write per 200 ms: 10, plus the final flush
    expect(calls.length).toBeLessThanOrEqual(11);
    expect(calls.length).toBeGreaterThanOrEqual(10);
    expect(calls.filter(Boolean).length).toBe(2); // t=2 ms and t=1002 ms
    const stored = await getJob(job0.id);
    expect(stored?.statusRecord).toEqual({ total: 1000, processed: 1000, status: "Done", phase: "import", updatedAt: T0 + 2000 });
    expect((await statusEvents(job0.id)).length).toBe(2);
    await completeJob(f.env, { job, worker: "w", result: null });
    expect((await getJob(job0.id))?.statusRecord?.processed).toBe(1000);
  });

  it("the last value is flushed even when the task throws", async () => {
    await enqueue("my_app.tasks.t", { queue: "default", jobId: "J" });
    const job = (await dequeue(f.env, { queues: ["default"], worker: "w", leaseMs: 60_000 }))!;
    await expect(
      runInJobContext(job, f.env, async () => {
        await currentJob()!.setStatus({ processed: 1 }); // written at once
        void currentJob()!.setStatus({ processed: 2, status: "stuck" }); // throttled, pending
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect((await getJob("J"))?.statusRecord).toMatchObject({ processed: 2, status: "stuck" });
  });

  it("a job that is not started (run with `now`) stores nothing", async () => {
    const before = await f.t.keyCount();
    const result = await enqueue(
      async () => {
        await currentJob()!.setStatus({ processed: 1 });
        return "ran";
      },
      { now: true },
    );
    expect(result).toBe("ran");
    expect(await f.t.keyCount()).toBe(before);
  });

  it("a record after the job ended is not written (the hash is not touched)", async () => {
    await enqueue("my_app.tasks.t", { queue: "default", jobId: "E" });
    const job = (await dequeue(f.env, { queues: ["default"], worker: "w", leaseMs: 60_000 }))!;
    await runInJobContext(job, f.env, () => undefined);
    await completeJob(f.env, { job, worker: "w", result: null });
    expect(await scriptStatusWriter(f.env, "E", f.env.keys.jobTag("default"))({ processed: 9, updatedAt: T0 }, true)).toBe(false);
    expect((await getJob("E"))?.statusRecord).toBeUndefined();
    expect(await statusEvents("E")).toEqual([]);
  });
});
