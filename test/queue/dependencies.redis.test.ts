/**
 * dependsOn: deferred jobs wait in the deferred registry until every dependency has finished,
 * move on in the script that finishes the last one, and are canceled (transitively) when one
 * fails for good, unless allowFailure. Against real Redis, driven by dequeue/completeJob/failJob.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EnqueueError } from "../../src/base/errors.js";
import { setActiveContext } from "../../src/queue/context.js";
import { enqueue } from "../../src/queue/enqueue.js";
import { completeJob, dequeue, failJob, failJobDetailed, promoteScheduled, reapStalled } from "../../src/queue/lifecycle.js";
import { getQueue } from "../../src/queue/queue.js";
import { cancel, cleanRegistries, getJob, getQueueStats } from "../../src/queue/registry.js";
import { transaction } from "../../src/queue/transaction.js";
import { CASCADE_BOUND } from "../../src/queue/job-scripts.js";
import type { Job } from "../../src/queue/types.js";
import { currentJob, runInJobContext } from "../../src/runtime/job-context.js";
import { placesOf, queueFixture, T0, type QueueFixture } from "./helpers.js";

let f: QueueFixture;
beforeEach(async () => {
  f = await queueFixture("deps", { "my_app.tasks.step": () => 1 });
});
afterEach(async () => {
  setActiveContext(undefined);
  await f.t.cleanup();
});

const put = (extra: Record<string, unknown> = {}) => enqueue("my_app.tasks.step", { queue: "default", ...extra });
const take = () => dequeue(f.env, { queues: ["default"], worker: "w", leaseMs: 30_000 });
/** Run the head of the queue to completion; returns its id (or null when the queue is empty). */
async function runNext(): Promise<string | null> {
  const job = await take();
  if (!job) return null;
  expect(await completeJob(f.env, { job, worker: "w", result: job.id })).toBe("finished");
  return job.id;
}
async function failNext(): Promise<Job> {
  const job = (await take())!;
  expect(await failJob(f.env, { job, worker: "w", error: new Error("boom") })).toBe("failed");
  return job;
}
/** The tag of the default queue's job keys (the installation's, or the queue's own: TEST_JOB_TAGS). */
const onDefault = () => f.env.keys.jobTag("default");
const statusOf = async (id: string) => (await getJob(id))?.status;

describe("dependsOn: waiting and moving on", () => {
  it("a chain A <- B <- C runs in order, each deferred until the one before it finished", async () => {
    const a = await put({ jobId: "A" });
    const b = await put({ jobId: "B", dependsOn: a }); // a job handle
    const c = await put({ jobId: "C", dependsOn: "B" }); // an id
    expect([a.status, b.status, c.status]).toEqual(["queued", "deferred", "deferred"]);
    expect((await placesOf(f.env)).get("B")).toEqual(["deferred:default"]);
    expect((await getQueueStats()).default).toMatchObject({ pending: 1, deferred: 2 });
    expect(await getQueue("default").length()).toBe(1);

    const order: Array<string | null> = [];
    for (let i = 0; i < 4; i++) order.push(await runNext());
    expect(order).toEqual(["A", "B", "C", null]);
    expect((await getQueueStats()).default).toMatchObject({ pending: 0, deferred: 0, finished: 3 });
    const cJob = await getJob("C");
    expect(cJob).toMatchObject({ dependsOn: ["B"], status: "finished" });
    expect(cJob?.depsLeft).toBeUndefined();
    // every dependents set is gone once its job settled
    expect(await f.env.redis.exists(f.env.keys.dependents("A", onDefault()), f.env.keys.dependents("B", onDefault()))).toBe(0);
  });

  it("fan-in: C waits for both A and B, whichever finishes first", async () => {
    await put({ jobId: "A" });
    await put({ jobId: "B" });
    await put({ jobId: "C", dependsOn: ["A", "B", "A"] }); // repeats collapse
    expect((await getJob("C"))).toMatchObject({ status: "deferred", depsLeft: 2, dependsOn: ["A", "B"] });
    expect(await runNext()).toBe("A");
    expect((await getJob("C"))).toMatchObject({ status: "deferred", depsLeft: 1 });
    expect(await getQueue("default").length()).toBe(1); // only B waits in the queue
    expect(await runNext()).toBe("B");
    expect(await statusOf("C")).toBe("queued");
    expect(await runNext()).toBe("C");
  });

  it("a dependency that already finished is not waited on", async () => {
    await put({ jobId: "A" });
    await runNext();
    const b = await put({ jobId: "B", dependsOn: "A" });
    expect(b.status).toBe("queued");
    expect((await placesOf(f.env)).get("B")).toEqual(["queued:default"]);
  });

  it("a deferred job given delay goes to scheduled when its dependency finishes, then runs when due", async () => {
    await put({ jobId: "A" });
    await put({ jobId: "B", dependsOn: "A", delay: 60 });
    expect(await statusOf("B")).toBe("deferred");
    await runNext();
    expect((await placesOf(f.env)).get("B")).toEqual(["scheduled:default"]);
    f.clock.advance(61_000);
    expect(await promoteScheduled(f.env)).toBe(1);
    expect(await runNext()).toBe("B");
  });

  it("atFront is kept: a released dependent goes to the head of the queue", async () => {
    await put({ jobId: "A" });
    await put({ jobId: "B", dependsOn: "A", atFront: true });
    await put({ jobId: "X" });
    expect(await runNext()).toBe("A");
    expect(await runNext()).toBe("B");
    expect(await runNext()).toBe("X");
  });

  it("a running job may enqueue a job that waits for it (runs once it finished; canceled if it fails for good)", async () => {
    await put({ jobId: "P" });
    const p = (await take())!;
    await runInJobContext(p, f.env, async () => {
      const me = currentJob()!;
      await put({ jobId: "next", dependsOn: me.id });
    });
    expect(await getJob("next")).toMatchObject({ status: "deferred", parentId: "P" });
    await completeJob(f.env, { job: p, worker: "w", result: null });
    expect(await runNext()).toBe("next");

    await put({ jobId: "Q" });
    const q = (await take())!;
    await runInJobContext(q, f.env, () => put({ jobId: "after-q", dependsOn: "Q" }));
    await failJob(f.env, { job: q, worker: "w", error: new Error("x") });
    expect(await getJob("after-q")).toMatchObject({ status: "canceled", cancelReason: "dependency Q failed" });
  });

  it("a transaction may enqueue a job and its dependent together (one script)", async () => {
    await transaction(async () => {
      await put({ jobId: "A", enqueueAfterCommit: true });
      await put({ jobId: "B", dependsOn: "A", enqueueAfterCommit: true });
    });
    expect(await statusOf("B")).toBe("deferred");
    expect(await runNext()).toBe("A");
    expect(await runNext()).toBe("B");
  });
});

describe("dependsOn: refusals", () => {
  it("an unknown dependency is an EnqueueError naming it, and nothing is written", async () => {
    await put({ jobId: "A" });
    const before = await f.t.keyCount();
    const events = await f.env.redis.xlen(f.env.keys.events(onDefault()));
    const err = await put({ jobId: "B", dependsOn: ["A", "nope"] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnqueueError);
    expect((err as EnqueueError).code).toBe("UNKNOWN_DEPENDENCY");
    expect((err as Error).message).toContain('"nope"');
    // in a transaction the whole commit is refused
    await expect(
      transaction(async () => {
        await put({ jobId: "C", enqueueAfterCommit: true });
        await put({ jobId: "D", dependsOn: "ghost", enqueueAfterCommit: true });
      }),
    ).rejects.toThrow(/depends on "ghost", which is not a job/);
    expect(await f.t.keyCount()).toBe(before);
    expect(await f.env.redis.xlen(f.env.keys.events(onDefault()))).toBe(events);
    expect(await getJob("C")).toBeNull();
  });

  it("a dependency that already failed refuses the job, unless allowFailure (then it is not waited on)", async () => {
    await put({ jobId: "A" });
    await failNext();
    await expect(put({ jobId: "B", dependsOn: "A" })).rejects.toMatchObject({ code: "DEPENDENCY_FAILED" });
    expect(await getJob("B")).toBeNull();
    const b = await put({ jobId: "B", dependsOn: "A", allowFailure: true });
    expect(b.status).toBe("queued");
  });

  it("bad dependsOn input is refused before Redis is touched", async () => {
    const before = await f.t.keyCount();
    await expect(put({ dependsOn: 42 })).rejects.toThrow(/dependsOn must be a job id or a job/);
    await expect(put({ dependsOn: ["ok", { nope: 1 }] })).rejects.toThrow(/dependsOn\[1\]/);
    await expect(put({ jobId: "S", dependsOn: "S" })).rejects.toThrow(/cannot depend on itself/);
    await expect(put({ allowFailure: true })).rejects.toThrow(/allowFailure only applies with dependsOn/);
    await expect(put({ dependsOn: "x", now: true })).rejects.toThrow(/cannot be combined with now/);
    expect(await f.t.keyCount()).toBe(before);
  });

  it("deduplicate: a deferred job is live, so a second enqueue with its id returns it", async () => {
    await put({ jobId: "A" });
    const first = await put({ jobId: "B", dependsOn: "A", deduplicate: true });
    const again = await put({ jobId: "B", dependsOn: "A", deduplicate: true });
    expect(first.status).toBe("deferred");
    expect(again).toMatchObject({ id: "B", status: "deferred", deduplicated: true });
    expect(await f.env.redis.zcard(f.env.keys.deferred("default"))).toBe(1);
    expect(await f.env.redis.smembers(f.env.keys.dependents("A", onDefault()))).toEqual(["B"]);
    await expect(put({ jobId: "B", dependsOn: "A" })).rejects.toThrow(/taken by a deferred job/);
  });
});

describe("dependsOn: failure of a dependency", () => {
  it("a final failure cancels the dependent with the reason, transitively; failJobDetailed names them", async () => {
    await put({ jobId: "A" });
    await put({ jobId: "B", dependsOn: "A" });
    await put({ jobId: "C", dependsOn: "B" });
    await put({ jobId: "D", dependsOn: ["C"], allowFailure: true });
    const a = (await take())!;
    const res = await failJobDetailed(f.env, { job: a, worker: "w", error: new Error("boom") });
    expect(res.outcome).toBe("failed");
    expect(res.outcome === "failed" && res.failure.canceledDependents).toEqual(["B", "C"]);
    expect(await getJob("B")).toMatchObject({ status: "canceled", cancelReason: "dependency A failed", endedAt: T0 });
    expect(await getJob("C")).toMatchObject({ status: "canceled", cancelReason: "dependency B failed" });
    // D allows failure: C's cancel counts as settled, so D runs
    expect(await statusOf("D")).toBe("queued");
    const places = await placesOf(f.env);
    expect(places.get("B")).toEqual(["canceled:default"]);
    expect(places.get("C")).toEqual(["canceled:default"]);
    expect(await f.env.redis.pttl(f.env.keys.job("B", onDefault()))).toBeGreaterThan(0); // retained like any canceled job
    const raw = await f.env.redis.xrange(f.env.keys.events(onDefault()), "-", "+");
    const canceled = raw.map(([, fields]) => JSON.parse(fields[1]!)).filter((e) => e.type === "job.canceled");
    expect(canceled.map((e) => [e.jobId, e.msg])).toEqual([
      ["B", "dependency A failed"],
      ["C", "dependency B failed"],
    ]);
    expect(await runNext()).toBe("D");
  });

  it("fan-in: one failed dependency cancels the dependent and takes it off the other's dependents", async () => {
    await put({ jobId: "A" });
    await put({ jobId: "B" });
    await put({ jobId: "C", dependsOn: ["A", "B"] });
    await failNext(); // A
    expect(await getJob("C")).toMatchObject({ status: "canceled", cancelReason: "dependency A failed" });
    expect(await f.env.redis.smembers(f.env.keys.dependents("B", onDefault()))).toEqual([]);
    expect(await runNext()).toBe("B");
    expect(await statusOf("C")).toBe("canceled"); // B finishing does not revive it
  });

  it("allowFailure: the dependent runs anyway once the dependency failed", async () => {
    await put({ jobId: "A" });
    await put({ jobId: "B", dependsOn: "A", allowFailure: true });
    await failNext();
    expect(await runNext()).toBe("B");
  });

  it("a failure with a retry left keeps the dependent waiting; the final one cancels it", async () => {
    await put({ jobId: "A", retry: { max: 1, delay: 0 } });
    await put({ jobId: "B", dependsOn: "A" });
    const a1 = (await take())!;
    expect(await failJob(f.env, { job: a1, worker: "w", error: new Error("once") })).toBe("retry-scheduled");
    expect(await statusOf("B")).toBe("deferred");
    await failNext();
    expect(await getJob("B")).toMatchObject({ status: "canceled", cancelReason: "dependency A failed" });
  });

  it("canceling a dependency cancels the dependent; canceling a deferred job unlinks it", async () => {
    await put({ jobId: "A" });
    await put({ jobId: "B", dependsOn: "A" });
    await put({ jobId: "C", dependsOn: "A" });
    await cancel("C");
    expect(await f.env.redis.smembers(f.env.keys.dependents("A", onDefault()))).toEqual(["B"]);
    expect((await placesOf(f.env)).get("C")).toEqual(["canceled:default"]);
    await cancel("A");
    expect(await getJob("B")).toMatchObject({ status: "canceled", cancelReason: "dependency A failed" });
    expect(await getJob("C")).toMatchObject({ status: "canceled" });
    expect((await getJob("C"))?.cancelReason).toBeUndefined(); // canceled by hand
  });

  it("a dependency abandoned by a dead worker (reaper, past the stall limit) cancels the dependent", async () => {
    await put({ jobId: "A" });
    await put({ jobId: "B", dependsOn: "A" });
    await dequeue(f.env, { queues: ["default"], worker: "dead", leaseMs: 1000 });
    f.clock.advance(5000);
    expect(await reapStalled(f.env, { stallLimit: 0 })).toEqual({ requeued: [], failed: ["A"] });
    expect(await getJob("B")).toMatchObject({ status: "canceled", cancelReason: "dependency A failed" });
  });

  it("emptying a queue deletes its jobs and cancels what waited on them", async () => {
    await put({ jobId: "A" });
    await enqueue("my_app.tasks.step", { queue: "long", jobId: "B", dependsOn: "A" });
    expect(await getQueue("default").empty()).toBe(1);
    expect(await getJob("B")).toMatchObject({ status: "canceled", cancelReason: "dependency A was deleted" });
  });

  it("emptying a queue: a dependent that allows failure lands on the emptied queue and stays there", async () => {
    await put({ jobId: "A" });
    await put({ jobId: "B", dependsOn: "A", allowFailure: true });
    expect(await getQueue("default").empty()).toBe(1);
    expect((await placesOf(f.env)).get("B")).toEqual(["queued:default"]);
    expect(await runNext()).toBe("B");
  });

  it("cleanRegistries settles dependents of a dependency deleted by hand (e.g. a purge)", async () => {
    await put({ jobId: "A" });
    await put({ jobId: "B", dependsOn: "A" });
    await put({ jobId: "C", dependsOn: "A", allowFailure: true });
    // gone without its scripts knowing: as an outside purge would leave it
    await f.env.redis.del(f.env.keys.job("A", onDefault()));
    await f.env.redis.lrem(f.env.keys.queue("default"), 0, "A");
    expect(await statusOf("B")).toBe("deferred");
    await cleanRegistries(f.env);
    expect(await getJob("B")).toMatchObject({ status: "canceled", cancelReason: "dependency A was deleted" });
    expect(await statusOf("C")).toBe("queued");
    expect(await f.env.redis.exists(f.env.keys.dependents("A", onDefault()))).toBe(0);
  });

  it(`the cancel walk stops after ${CASCADE_BOUND} dependents; cleanRegistries finishes it`, async () => {
    const n = CASCADE_BOUND + 5;
    await transaction(async () => {
      await put({ jobId: "c0", enqueueAfterCommit: true });
      for (let i = 1; i <= n; i++) await put({ jobId: `c${i}`, dependsOn: `c${i - 1}`, enqueueAfterCommit: true });
    });
    const root = (await take())!;
    const res = await failJobDetailed(f.env, { job: root, worker: "w", error: new Error("x") });
    expect(res.outcome === "failed" && res.failure.canceledDependents.length).toBe(CASCADE_BOUND);
    expect(await statusOf(`c${CASCADE_BOUND}`)).toBe("canceled");
    expect(await statusOf(`c${CASCADE_BOUND + 1}`)).toBe("deferred");
    expect((await getQueueStats()).default).toMatchObject({ deferred: 5, canceled: CASCADE_BOUND });
    await cleanRegistries(f.env);
    expect((await getQueueStats()).default).toMatchObject({ deferred: 0, canceled: n });
    expect(await getJob(`c${n}`)).toMatchObject({ status: "canceled", cancelReason: `dependency c${n - 1} failed` });
  });

  it("a follow-up with an unknown dependency is rejected at completion; the completion stands", async () => {
    await put({ jobId: "P" });
    const p = (await take())!;
    const follow = (await import("../../src/queue/prepare.js")).buildPrepared;
    const { normalizeOptions } = await import("../../src/queue/options.js");
    const { prepared } = follow(f.env, "my_app.tasks.step", normalizeOptions({ jobId: "F", dependsOn: "ghost" }));
    expect(await completeJob(f.env, { job: p, worker: "w", result: 1, followUps: [prepared] })).toBe("finished");
    expect(await getJob("F")).toBeNull();
    expect(await statusOf("P")).toBe("finished");
  });
});
