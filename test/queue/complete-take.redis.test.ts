/** completeAndTake: the completion and the worker's next lease in one script call (complete.lua). */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { completeAndTake, dequeue } from "../../src/queue/lifecycle.js";
import { normalizeOptions } from "../../src/queue/options.js";
import { buildPrepared } from "../../src/queue/prepare.js";
import { getJobAttempts } from "../../src/queue/registry.js";
import { placesOf, queueFixture, type QueueFixture } from "./helpers.js";

let f: QueueFixture;
beforeAll(async () => {
  f = await queueFixture("complete-take", { "app.tasks.a": () => null });
});
beforeEach(async () => {
  // Each case starts from empty queues (the fixture's prefix only).
  for (const q of ["short", "default"]) await f.env.redis.del(f.env.keys.queue(q), f.env.keys.wake(q));
});
afterAll(async () => {
  await f.t.cleanup();
});

const take = { worker: "w1", leaseMs: 60_000, queues: ["short", "default"] };

describe("completeAndTake", () => {
  it("finishes the job and leases the first job of the first non-empty queue, in order", async () => {
    await enqueueWith(f.env, "app.tasks.a", { queue: "default", jobId: "first" });
    await enqueueWith(f.env, "app.tasks.a", { queue: "default", jobId: "d2" });
    await enqueueWith(f.env, "app.tasks.a", { queue: "short", jobId: "s1" });
    const job = await dequeue(f.env, { ...take, queues: ["default"] });
    const r = await completeAndTake(f.env, { job: job!, worker: "w1", result: 42 }, take);
    expect(r.outcome).toBe("finished");
    expect(r.next).toMatchObject({ id: "s1", status: "started", worker: "w1", attempt: 1 });
    const places = await placesOf(f.env);
    expect(places.get("first")).toEqual(["finished:default"]);
    expect(places.get("s1")).toEqual(["started:short"]);
    expect(places.get("d2")).toEqual(["queued:default"]);
    // A first attempt that finished keeps no list; its record comes from the job itself.
    expect(await f.env.redis.exists(f.env.keys.attempts("first"))).toBe(0);
    expect(await getJobAttempts("first", f.env)).toMatchObject([{ attempt: 1, worker: "w1", outcome: "finished" }]);
  });

  it("still takes the next job when the completion finds its lease lost; none when the queues are empty", async () => {
    await enqueueWith(f.env, "app.tasks.a", { queue: "default", jobId: "lost" });
    await enqueueWith(f.env, "app.tasks.a", { queue: "default", jobId: "next" });
    const job = await dequeue(f.env, { ...take, queues: ["default"] });
    const stolen = await completeAndTake(f.env, { job: job!, worker: "intruder", result: null }, { ...take, worker: "intruder" });
    expect(stolen.outcome).toBe("lease-lost");
    expect(stolen.next).toMatchObject({ id: "next", worker: "intruder" });
    const mine = await completeAndTake(f.env, { job: job!, worker: "w1", result: null }, take);
    expect(mine).toEqual({ outcome: "finished", next: null });
  });

  it("pushes the follow-ups first, so the take can lease one of them", async () => {
    await enqueueWith(f.env, "app.tasks.a", { queue: "short", jobId: "parent" });
    const job = await dequeue(f.env, take);
    const { prepared } = buildPrepared(f.env, "app.tasks.a", normalizeOptions({ queue: "short", jobId: "child-1" }));
    const r = await completeAndTake(f.env, { job: job!, worker: "w1", result: null, followUps: [prepared] }, take);
    expect(r.next?.id).toBe("child-1");
  });
});
