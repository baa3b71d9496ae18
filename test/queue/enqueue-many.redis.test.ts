import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EnqueueError } from "../../src/base/errors.js";
import { setActiveContext } from "../../src/queue/context.js";
import { enqueue } from "../../src/queue/enqueue.js";
import { enqueueMany, enqueueManyWith } from "../../src/queue/enqueue-many.js";
import { dequeue } from "../../src/queue/lifecycle.js";
import { getJob } from "../../src/queue/registry.js";
import { transaction } from "../../src/queue/transaction.js";
import { queueFixture, T0, type QueueFixture } from "./helpers.js";

function process_item() {
  return "ok";
}
const tasks = { "my_app.tasks.process_item": process_item, "my_app.tasks.other": () => 1 };

let f: QueueFixture;
beforeAll(async () => {
  f = await queueFixture("enqueue-many", tasks);
});
beforeEach(() => setActiveContext(f.env));
afterAll(() => f.t.cleanup());

async function refused(run: () => Promise<unknown>): Promise<EnqueueError> {
  const before = await f.t.keyCount();
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EnqueueError);
  expect(await f.t.keyCount()).toBe(before);
  return err as EnqueueError;
}

describe("enqueueMany", () => {
  it("writes every job in order, with its queue and kwargs, in one script call per job tag (one on the installation layout)", async () => {
    const calls: string[] = [];
    const realEvalsha = f.env.redis.evalsha.bind(f.env.redis);
    f.env.redis.evalsha = ((...args: Parameters<typeof realEvalsha>) => {
      calls.push(String(args[0]));
      return realEvalsha(...args);
    }) as typeof f.env.redis.evalsha;
    let jobs;
    try {
      jobs = await enqueueMany([
        { method: "my_app.tasks.process_item", options: { n: 1 } },
        { method: process_item, options: { queue: "long", n: 2 } },
        { method: "my_app.tasks.other", options: { queue: "short", kwargs: { n: 3 } } },
      ]);
    } finally {
      f.env.redis.evalsha = realEvalsha;
    }
    // one on the installation layout; one per queue when each queue has its own tag (TEST_JOB_TAGS)
    expect(calls).toHaveLength(new Set(["default", "long", "short"].map((q) => f.env.keys.jobTag(q))).size);
    expect(jobs.map((j) => [j.method, j.queue, j.status, j.kwargs])).toEqual([
      ["my_app.tasks.process_item", "default", "queued", { n: 1 }],
      ["my_app.tasks.process_item", "long", "queued", { n: 2 }],
      ["my_app.tasks.other", "short", "queued", { n: 3 }],
    ]);
    expect(await getJob(jobs[1]!.id)).toMatchObject({ status: "queued", queue: "long", enqueuedAt: T0 });
    expect(await f.env.redis.lrange(f.env.keys.queue("default"), 0, -1)).toContain(jobs[0]!.id);
    const taken = await dequeue(f.env, { queues: ["short"], worker: "w", leaseMs: 60_000 });
    expect(taken?.id).toBe(jobs[2]!.id);
  });

  it("returns an empty list for no items without touching Redis", async () => {
    const before = await f.t.keyCount();
    expect(await enqueueMany([])).toEqual([]);
    expect(await f.t.keyCount()).toBe(before);
  });

  it("refuses the whole list, naming the item, when one item is bad (nothing written)", async () => {
    const queueErr = await refused(() => enqueueMany([{ method: "my_app.tasks.other" }, { method: "my_app.tasks.other", options: { queue: "nope" } }]));
    expect(queueErr.code).toBe("UNKNOWN_QUEUE");
    expect(queueErr.message).toMatch(/^enqueueMany: item 1: enqueue: unknown queue "nope"/);
    const kwargsErr = await refused(() => enqueueMany([{ method: "my_app.tasks.other", options: { when: new Date() } }]));
    expect(kwargsErr.code).toBe("BAD_KWARGS");
    expect(kwargsErr.message).toContain("item 0");
    const methodErr = await refused(() => enqueueMany([{ method: "my_app.tasks.other" }, { method: "my_app.tasks.missing" }]));
    expect(methodErr.code).toBe("UNKNOWN_TASK");
    const nowErr = await refused(() => enqueueMany([{ method: "my_app.tasks.other", options: { now: true } }]));
    expect(nowErr.message).toContain("item 0: now / isAsync: false is not supported");
    const shapeErr = await refused(() => enqueueMany([null as never]));
    expect(shapeErr.code).toBe("BAD_ARGUMENT");
  });

  it("is all-or-nothing in Redis: a live id without deduplicate refuses every job", async () => {
    await enqueue("my_app.tasks.other", { jobId: "taken" });
    const err = await refused(() => enqueueMany([{ method: "my_app.tasks.other", options: { jobId: "fresh-1" } }, { method: "my_app.tasks.other", options: { jobId: "taken" } }]));
    expect(err.code).toBe("JOB_ID_TAKEN");
    expect(await getJob("fresh-1")).toBeNull();
  });

  it("returns the live job flagged deduplicated for a deduplicate item, beside new ones", async () => {
    await enqueue("my_app.tasks.other", { jobId: "dedup-me", n: 0 });
    const jobs = await enqueueManyWith(f.env, [
      { method: "my_app.tasks.other", options: { jobId: "dedup-me", deduplicate: true, n: 9 } },
      { method: "my_app.tasks.other", options: { jobId: "dedup-new", deduplicate: true } },
    ]);
    expect(jobs[0]).toMatchObject({ id: "dedup-me", deduplicated: true, kwargs: { n: 0 } });
    expect(jobs[1]).toMatchObject({ id: "dedup-new", status: "queued" });
    expect(jobs[1]!.deduplicated).toBeUndefined();
  });

  it("holds enqueueAfterCommit items inside transaction() until it commits", async () => {
    let inside: Awaited<ReturnType<typeof enqueueMany>> = [];
    await transaction(async () => {
      inside = await enqueueMany([
        { method: "my_app.tasks.other", options: { jobId: "later", enqueueAfterCommit: true } },
        { method: "my_app.tasks.other", options: { jobId: "at-once" } },
      ]);
      expect(await getJob("later")).toBeNull();
      expect((await getJob("at-once"))?.status).toBe("queued");
    });
    expect(inside.map((j) => j.status)).toEqual(["deferred", "queued"]);
    expect((await getJob("later"))?.status).toBe("queued");
  });
});
