/**
 * Parent/children links: a job enqueued inside a running job records parentId, and the parent
 * lists it (a capped list plus a count), both read by getJob; the list lives and dies with the
 * parent's retention.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setActiveContext } from "../../src/queue/context.js";
import { enqueue } from "../../src/queue/enqueue.js";
import { CHILDREN_KEPT } from "../../src/queue/job-scripts.js";
import { completeJob, dequeue, failJob } from "../../src/queue/lifecycle.js";
import { cleanRegistries, getJob, requeue } from "../../src/queue/registry.js";
import { transaction } from "../../src/queue/transaction.js";
import { runInJobContext } from "../../src/runtime/job-context.js";
import { queueFixture, type QueueFixture } from "./helpers.js";

let f: QueueFixture;
beforeEach(async () => {
  f = await queueFixture("children", { "my_app.tasks.t": () => 1 });
});
afterEach(async () => {
  setActiveContext(undefined);
  await f.t.cleanup();
});

/** The tag of the default queue's job keys (the installation's, or the queue's own: TEST_JOB_TAGS). */
const onDefault = () => f.env.keys.jobTag("default");
const put = (extra: Record<string, unknown> = {}) => enqueue("my_app.tasks.t", { queue: "default", ...extra });

describe("parent/children links", () => {
  it("a job enqueued inside a running job is linked both ways (immediate and after-commit)", async () => {
    await put({ jobId: "P" });
    const p = (await dequeue(f.env, { queues: ["default"], worker: "w", leaseMs: 30_000 }))!;
    const run = await runInJobContext(p, f.env, async () => {
      await put({ jobId: "c1" });
      await put({ jobId: "c2", enqueueAfterCommit: true });
    });
    // the after-commit child is pushed by the completion, after the parent is retired
    expect((await getJob("P"))?.children).toEqual(["c1"]);
    await completeJob(f.env, { job: p, worker: "w", result: null, followUps: run.followUps });
    const parent = await getJob("P");
    expect(parent).toMatchObject({ status: "finished", children: ["c1", "c2"], childCount: 2 });
    expect(await getJob("c1")).toMatchObject({ parentId: "P" });
    expect(await getJob("c2")).toMatchObject({ parentId: "P" });
    // the list expires with its retired parent
    const parentTtl = await f.env.redis.pttl(f.env.keys.job("P", onDefault()));
    const listTtl = await f.env.redis.pttl(f.env.keys.children("P", onDefault()));
    expect(parentTtl).toBeGreaterThan(0);
    expect(Math.abs(listTtl - parentTtl)).toBeLessThan(2000);
    // a job that is not a parent has no children field
    expect((await getJob("c1"))?.children).toBeUndefined();
  });

  it("the retention sweep removes the children list with the parent", async () => {
    await put({ jobId: "P" });
    const p = (await dequeue(f.env, { queues: ["default"], worker: "w", leaseMs: 30_000 }))!;
    await runInJobContext(p, f.env, () => put({ jobId: "c1" }));
    await completeJob(f.env, { job: p, worker: "w", result: null });
    expect(await f.env.redis.exists(f.env.keys.children("P", onDefault()))).toBe(1);
    f.clock.advance(f.env.retention.finished * 1000 + 1);
    expect(await cleanRegistries(f.env)).toBe(1);
    expect(await f.env.redis.exists(f.env.keys.job("P", onDefault()), f.env.keys.children("P", onDefault()))).toBe(0);
    expect(await getJob("c1")).toMatchObject({ parentId: "P" }); // the child keeps its own record
  });

  it("a parent run with `now` (never stored) leaves no children list behind", async () => {
    let childId = "";
    await enqueue(
      async () => {
        childId = (await put()).id;
      },
      { now: true },
    );
    expect(childId).not.toBe("");
    const child = await getJob(childId);
    expect(child?.parentId).toBeDefined();
    expect(await f.env.redis.exists(f.env.keys.children(child!.parentId!, onDefault()))).toBe(0);
  });

  it(`keeps the newest ${CHILDREN_KEPT} children and counts them all`, async () => {
    await put({ jobId: "P" });
    const p = (await dequeue(f.env, { queues: ["default"], worker: "w", leaseMs: 30_000 }))!;
    // nested in the job, the transaction hands its jobs to the job: pushed by the completion
    const run = await runInJobContext(p, f.env, () =>
      transaction(async () => {
        for (let i = 0; i <= CHILDREN_KEPT; i++) await put({ jobId: `c${i}`, enqueueAfterCommit: true });
      }),
    );
    expect(run.followUps).toHaveLength(CHILDREN_KEPT + 1);
    await completeJob(f.env, { job: p, worker: "w", result: null, followUps: run.followUps });
    const parent = await getJob("P");
    expect(parent?.childCount).toBe(CHILDREN_KEPT + 1);
    expect(parent?.children).toHaveLength(CHILDREN_KEPT);
    expect(parent?.children?.[0]).toBe("c1");
    expect(parent?.children?.at(-1)).toBe(`c${CHILDREN_KEPT}`);
  });

  it("requeueing a failed parent keeps its children list for as long as the job lives", async () => {
    await put({ jobId: "P" });
    const p = (await dequeue(f.env, { queues: ["default"], worker: "w", leaseMs: 30_000 }))!;
    await runInJobContext(p, f.env, () => put({ jobId: "c1" }));
    await failJob(f.env, { job: p, worker: "w", error: new Error("x") });
    expect(await f.env.redis.pttl(f.env.keys.children("P", onDefault()))).toBeGreaterThan(0);
    await requeue("P");
    expect(await f.env.redis.pttl(f.env.keys.children("P", onDefault()))).toBe(-1);
    expect(await f.env.redis.pttl(f.env.keys.job("P", onDefault()))).toBe(-1);
    expect((await getJob("P"))?.children).toEqual(["c1"]);
  });

  it("reusing a finished parent's id drops its old children list", async () => {
    await put({ jobId: "P" });
    const p = (await dequeue(f.env, { queues: ["default"], worker: "w", leaseMs: 30_000 }))!;
    await runInJobContext(p, f.env, () => put({ jobId: "c1" }));
    await completeJob(f.env, { job: p, worker: "w", result: null });
    await put({ jobId: "P" });
    const again = await getJob("P");
    expect(again?.status).toBe("queued");
    expect(again?.children).toBeUndefined();
    expect(again?.childCount).toBeUndefined();
  });
});
