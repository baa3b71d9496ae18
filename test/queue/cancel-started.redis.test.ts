/**
 * Canceling a running job, the queue's half: cancel() flags it (cancel.lua), the heartbeat
 * reports the flag to the worker holding it (heartbeat.lua), that worker ends it as canceled
 * (cancel_started.lua), and a flagged job given back to its queue is canceled when next taken
 * instead of running again (dequeue_lib.lua).
 */
import { sweepForwardRecords } from "../../src/queue/forward-sweep.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { cancelStarted, dequeue, heartbeat, requeueJob } from "../../src/queue/lifecycle.js";
import { cancel, getJobAttempts, getJobWith, requeue } from "../../src/queue/registry.js";
import type { Job } from "../../src/queue/types.js";
import { placesOf, queueFixture, type QueueFixture } from "./helpers.js";

let f: QueueFixture;
beforeAll(async () => {
  f = await queueFixture("cancel-started", { "app.tasks.a": () => null });
});
beforeEach(async () => {
  for (const q of ["short", "default"]) await f.env.redis.del(f.env.keys.queue(q), f.env.keys.wake(q));
});
afterAll(async () => {
  await f.t.cleanup();
});

const take = { worker: "w1", leaseMs: 60_000, queues: ["default"] };

async function running(id: string, options: Record<string, unknown> = {}): Promise<Job> {
  await enqueueWith(f.env, "app.tasks.a", { queue: "default", jobId: id, ...options });
  return (await dequeue(f.env, take))!;
}

async function eventsOf(id: string): Promise<Array<{ type: string; msg: string }>> {
  const entries = await f.env.redis.xrange(f.env.keys.events(f.env.keys.jobTag("default")), "-", "+");
  return entries.map(([, kv]) => JSON.parse(kv[1]!) as { type: string; msg: string; jobId?: string }).filter((e) => e.jobId === id);
}

describe("cancel of a started job", () => {
  it("flags it once (one event), leaves it running, and says stopping", async () => {
    const job = await running("c-flag");
    expect(await cancel("c-flag", f.env)).toBe("stopping");
    f.clock.advance(1000);
    expect(await cancel("c-flag", f.env)).toBe("stopping");
    const stored = await getJobWith(f.env, "c-flag");
    expect(stored).toMatchObject({ status: "started", worker: "w1", cancelRequested: job.startedAt });
    expect((await eventsOf("c-flag")).filter((e) => e.type === "job.cancel_requested")).toHaveLength(1);
    expect((await placesOf(f.env)).get("c-flag")).toEqual(["started:default"]);
  });

  it("the heartbeat of the worker holding it reports the flag; another worker's heartbeat does not", async () => {
    const a = await running("c-hb-a");
    const b = await running("c-hb-b");
    await cancel("c-hb-b", f.env);
    const jobs = [a, b].map((j) => ({ id: j.id, queue: j.queue }));
    f.clock.advance(1000); // a later lease than the one the take gave
    expect(await heartbeat(f.env, { worker: "w1", jobs, leaseMs: 60_000 })).toEqual({ extended: 2, cancelRequested: ["c-hb-b"], leaseLost: [] });
    // Not w2's jobs: nothing extended, and reported as not leased to it.
    expect(await heartbeat(f.env, { worker: "w2", jobs, leaseMs: 60_000 })).toEqual({ extended: 0, cancelRequested: [], leaseLost: ["c-hb-a", "c-hb-b"] });
    expect(await heartbeat(f.env, { worker: "w1", jobs: [], leaseMs: 60_000 })).toEqual({ extended: 0, cancelRequested: [], leaseLost: [] });
  });

  it("its worker ends it canceled: registry, attempt record, event, dependents canceled; no one else can", async () => {
    const job = await running("c-end");
    await enqueueWith(f.env, "app.tasks.a", { queue: "short", jobId: "c-end-dependent", dependsOn: "c-end" });
    await cancel("c-end", f.env);
    expect(await cancelStarted(f.env, { job, worker: "intruder", how: "x" })).toBe("lease-lost");
    f.clock.advance(250);
    expect(await cancelStarted(f.env, { job, worker: "w1", how: "its task stopped on the abort signal" })).toBe("canceled");
    // a dependent on another tag (TEST_JOB_TAGS=queue) is settled by the worker's forwarder
    await sweepForwardRecords(f.env);
    expect(await getJobWith(f.env, "c-end")).toMatchObject({ status: "canceled", cancelReason: "its task stopped on the abort signal", endedAt: job.startedAt! + 250 });
    const places = await placesOf(f.env);
    expect(places.get("c-end")).toEqual(["canceled:default"]);
    expect(places.get("c-end-dependent")).toEqual(["canceled:short"]);
    expect(await getJobAttempts("c-end", f.env)).toMatchObject([{ attempt: 1, worker: "w1", outcome: "canceled", reason: "its task stopped on the abort signal" }]);
    expect((await eventsOf("c-end")).map((e) => e.type)).toContain("job.canceled");
    expect(await cancelStarted(f.env, { job, worker: "w1", how: "again" })).toBe("lease-lost");
  });

  it("a flagged job given back to its queue is canceled when taken, not run; the take moves on", async () => {
    const job = await running("c-back");
    await cancel("c-back", f.env);
    expect(await requeueJob(f.env, { job, worker: "w1", reason: "worker shutdown" })).toBe(true);
    await enqueueWith(f.env, "app.tasks.a", { queue: "default", jobId: "c-next" });
    const next = await dequeue(f.env, take);
    expect(next?.id).toBe("c-next");
    expect(await getJobWith(f.env, "c-back")).toMatchObject({ status: "canceled", cancelReason: "cancel requested while it was running; not run again" });
    expect((await placesOf(f.env)).get("c-back")).toEqual(["canceled:default"]);
  });

  it("retrying a canceled job clears the request, so it runs", async () => {
    const job = await running("c-retry");
    await cancel("c-retry", f.env);
    await cancelStarted(f.env, { job, worker: "w1", how: "stopped" });
    await requeue("c-retry", f.env);
    const again = await dequeue(f.env, take);
    expect(again).toMatchObject({ id: "c-retry", status: "started", attempt: 2 });
    expect(again?.cancelRequested).toBeUndefined();
  });
});
