import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setActiveContext } from "../../src/queue/context.js";
import { enqueue } from "../../src/queue/enqueue.js";
import { completeJob, dequeue, failJob } from "../../src/queue/lifecycle.js";
import { getQueue } from "../../src/queue/queue.js";
import { getJob, getQueueStats } from "../../src/queue/registry.js";
import { transaction } from "../../src/queue/transaction.js";
import { currentJob, publishProgress, runInJobContext } from "../../src/runtime/job-context.js";
import { placesOf, queueFixture, type QueueFixture } from "./helpers.js";

const ran: string[] = [];
const tasks = {
  "my_app.tasks.step": async (kw: Record<string, unknown>) => {
    ran.push(`step:${String(kw.n)}`);
    return kw.n;
  },
  "my_app.tasks.chain": async (kw: Record<string, unknown>) => {
    // the reference's job chaining, with enqueue_after_commit: step 2 only if step 1 succeeds
    await enqueue("my_app.tasks.step", { n: kw.n, enqueue_after_commit: true });
    await publishProgress({ percent: 50, title: "Processing Items", description: "1 of 2" });
    if (kw.fail) throw new Error("step 1 failed");
    return "chained";
  },
};

let f: QueueFixture;
beforeEach(async () => {
  f = await queueFixture("tx", tasks);
  ran.length = 0;
});
afterEach(async () => {
  setActiveContext(undefined);
  await f.t.cleanup();
});

const pending = async (q = "default") => f.env.redis.llen(f.env.keys.queue(q));

describe("transaction", () => {
  it("pushes after-commit jobs in one step when fn resolves; immediate ones go at once", async () => {
    let midway = -1;
    const out = await transaction(async () => {
      const a = await enqueue("my_app.tasks.step", { n: 1, enqueueAfterCommit: true });
      const b = await enqueue("my_app.tasks.step", { n: 2, queue: "long", enqueue_after_commit: true });
      expect(a.status).toBe("deferred");
      expect(b.status).toBe("deferred");
      await enqueue("my_app.tasks.step", { n: 3 });
      midway = await pending();
      return "ok";
    });
    expect(out).toBe("ok");
    expect(midway).toBe(1); // only the immediate one while fn ran
    expect(await pending()).toBe(2);
    expect(await pending("long")).toBe(1);
  });

  it("drops after-commit jobs when fn throws", async () => {
    const before = await f.t.keyCount();
    await expect(
      transaction(async () => {
        await enqueue("my_app.tasks.step", { n: 1, enqueueAfterCommit: true });
        throw new Error("rollback");
      }),
    ).rejects.toThrow("rollback");
    expect(await f.t.keyCount()).toBe(before);
  });

  it("is all-or-nothing: a live-id conflict at commit writes none of them", async () => {
    await enqueue("my_app.tasks.step", { jobId: "taken" });
    const before = await f.t.keyCount();
    await expect(
      transaction(async () => {
        await enqueue("my_app.tasks.step", { n: 1, enqueueAfterCommit: true });
        await enqueue("my_app.tasks.step", { jobId: "taken", enqueueAfterCommit: true });
      }),
    ).rejects.toMatchObject({ code: "JOB_ID_TAKEN" });
    expect(await f.t.keyCount()).toBe(before);
  });

  it("nested: the inner commit hands its jobs to the outer unit", async () => {
    await expect(
      transaction(async () => {
        await transaction(async () => {
          await enqueue("my_app.tasks.step", { n: 1, enqueueAfterCommit: true });
        });
        expect(await pending()).toBe(0);
        throw new Error("outer fails");
      }),
    ).rejects.toThrow("outer fails");
    expect(await pending()).toBe(0);
  });

  it("enqueueAfterCommit outside any unit of work enqueues at once", async () => {
    const job = await enqueue("my_app.tasks.step", { enqueueAfterCommit: true });
    expect(job.status).toBe("queued");
  });
});

describe("inside a running job", () => {
  it("collects after-commit jobs and completeJob pushes them with the completion, parentId recorded", async () => {
    const parent = await enqueue("my_app.tasks.chain", { n: 7 });
    const job = (await dequeue(f.env, { queues: ["default"], worker: "w", leaseMs: 10_000 }))!;
    const fn = await f.env.tasks!.resolve(job.method);
    const { result, followUps } = await runInJobContext(job, f.env, () => fn(job.kwargs));
    expect(result).toBe("chained");
    expect(followUps).toHaveLength(1);
    expect(await pending()).toBe(0); // not yet
    expect((await getJob(parent.id))?.progress).toMatchObject({ percent: 50, title: "Processing Items", description: "1 of 2" });
    expect(await completeJob(f.env, { job, worker: "w", result, followUps })).toBe("finished");
    const places = await placesOf(f.env);
    expect(places.get(followUps[0]!.id)).toEqual(["queued:default"]);
    expect((await getJob(followUps[0]!.id))?.parentId).toBe(parent.id);
  });

  it("drops them when the job fails, and when its lease is lost", async () => {
    await enqueue("my_app.tasks.chain", { n: 1, fail: true });
    const job = (await dequeue(f.env, { queues: ["default"], worker: "w", leaseMs: 10_000 }))!;
    const fn = await f.env.tasks!.resolve(job.method);
    await expect(runInJobContext(job, f.env, () => fn(job.kwargs))).rejects.toThrow("step 1 failed");
    expect(await failJob(f.env, { job, worker: "w", error: new Error("step 1 failed") })).toBe("failed");
    expect(await pending()).toBe(0);

    await enqueue("my_app.tasks.chain", { n: 2 });
    const j2 = (await dequeue(f.env, { queues: ["default"], worker: "w", leaseMs: 10_000 }))!;
    const run = await runInJobContext(j2, f.env, () => fn(j2.kwargs));
    expect(await completeJob(f.env, { job: j2, worker: "someone-else", result: run.result, followUps: run.followUps })).toBe("lease-lost");
    expect(await pending()).toBe(0);
    expect(await f.env.redis.exists(f.env.keys.job(run.followUps[0]!.id, f.env.keys.jobTag("default")))).toBe(0);
  });

  it("currentJob() answers inside and is undefined outside; publishProgress outside a job is false", async () => {
    expect(currentJob()).toBeUndefined();
    expect(await publishProgress({ percent: 1 })).toBe(false);
    await expect(publishProgress({ percent: 101 })).rejects.toThrow("percent must be a number from 0 to 100");
    const job = { id: "j1", method: "my_app.tasks.step", queue: "short", status: "started", kwargs: { a: 1 }, timeout: 5, attempt: 2, createdAt: 0, stalls: 0, scheduledFor: 123, catchup: true, jobName: "nm" } as const;
    const seen = await runInJobContext({ ...job }, f.env, async () => {
      await new Promise((r) => setTimeout(r, 1));
      const c = currentJob()!;
      return { id: c.id, queue: c.queue, attempt: c.attempt, kwargs: c.kwargs, scheduledFor: c.scheduledFor, catchup: c.catchup, jobName: c.jobName, aborted: c.signal.aborted };
    });
    expect(seen.result).toEqual({ id: "j1", queue: "short", attempt: 2, kwargs: { a: 1 }, scheduledFor: 123, catchup: true, jobName: "nm", aborted: false });
  });
});

describe("getQueue: the reference's custom queue pattern", () => {
  it("queue.dequeue() then job.perform() runs the job here and records the outcome", async () => {
    await enqueue("my_app.tasks.chain", { queue: "my_custom_queue", n: 9 });
    await enqueue("my_app.tasks.chain", { queue: "my_custom_queue", n: 10, fail: true });
    const queue = getQueue("my_custom_queue");
    expect(await queue.length()).toBe(2);
    expect((await queue.jobs()).map((j) => j.kwargs.n)).toEqual([9, 10]);
    const job = await queue.dequeue();
    expect(job).not.toBeNull();
    expect(await job!.perform()).toBe("chained");
    const second = await queue.dequeue();
    await expect(second!.perform()).rejects.toThrow("step 1 failed");
    expect(await queue.dequeue()).toBeNull();
    const stats = await getQueueStats();
    expect(stats.my_custom_queue).toMatchObject({ pending: 0, started: 0, finished: 1, failed: 1 });
    // the follow-up of the successful one was pushed on completion
    expect(await pending()).toBe(1);
    expect((await getJob(job!.id))?.status).toBe("finished");
  });

  it("empty() deletes waiting jobs; an unknown queue is a clear error", async () => {
    await enqueue("my_app.tasks.step", { queue: "long" });
    await enqueue("my_app.tasks.step", { queue: "long" });
    expect(await getQueue("long").empty()).toBe(2);
    expect(await getQueue("long").length()).toBe(0);
    expect(await f.env.redis.exists(f.env.keys.wake("long"))).toBe(0);
    expect(() => getQueue("nope")).toThrow('getQueue: unknown queue "nope"');
  });
});
