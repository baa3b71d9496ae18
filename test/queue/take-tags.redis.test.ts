/**
 * The job scripts on the tag of their call (issue 17): with the keys' "queue" layout each queue's
 * job keys are on its own tag, and every caller sends one script call per tag: a dequeue over
 * several queues one call per run of queues of one tag (src/queue/take.ts), a completion takes
 * the next job in its own call only from queues of its tag, heartbeat, reap and promote one call
 * per tag, an enqueue of several queues one call per tag (all-or-nothing per tag). Runs on one
 * Redis and again on the cluster ("on-cluster" project), where the queues are chosen so that
 * their tags are on different masters.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createKeys, type Keys } from "../../src/redis/keys.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { enqueueManyWith } from "../../src/queue/enqueue-many.js";
import { enqueueScheduled } from "../../src/queue/enqueue-scheduled.js";
import { completeAndTake, completeMany, dequeue, heartbeat, promoteScheduled, reapStalled } from "../../src/queue/lifecycle.js";
import { getQueueStatsWith } from "../../src/queue/registry.js";
import { setActiveContext, type QueueEnv } from "../../src/queue/context.js";
import { preloadScripts } from "../../src/redis/scripts.js";
import type { Job } from "../../src/queue/types.js";
import { masterOf, queuesOnDistinctMasters } from "../helpers/distinct-masters.js";
import { ON_TOPOLOGY } from "../helpers/redis.js";
import { queueFixture, type QueueFixture } from "./helpers.js";

const METHOD = "app.tasks.noop";
const Q = { timeout: 60, workers: 1, concurrency: 1 };
let f: QueueFixture;
let keys: Keys;
let env: QueueEnv;
/** Three queues whose tags are on three different masters on the cluster. */
let A: string, B: string, C: string;

beforeAll(async () => {
  f = await queueFixture("take-tags", { [METHOD]: () => "ok" });
  keys = createKeys(f.t.prefix, { jobTags: "queue" });
  [A, B, C] = (await queuesOnDistinctMasters(f.env.redis, keys)) as [string, string, string];
  env = { ...f.env, keys, queues: { ...f.env.queues, [A]: Q, [B]: Q, [C]: Q } };
  setActiveContext(env);
  await preloadScripts(env.redis, ["dequeue", "complete", "complete_many", "heartbeat", "reap", "promote", "enqueue"]);
});
afterAll(() => f.t.cleanup());
beforeEach(() => (calls = 0));

/** env whose connection counts the script calls (scripts preloaded: no NOSCRIPT retry to count). */
let calls = 0;
function counted(): QueueEnv {
  const redis = new Proxy(env.redis, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop === "evalsha" || prop === "eval") calls++;
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { ...env, redis };
}

const put = async (queue: string, o: Record<string, unknown> = {}) => (await enqueueWith(env, METHOD, { queue, ...o })) as Job;
const take = (queues: string[], worker = "w") => dequeue(counted(), { queues, worker, leaseMs: 60_000 });

describe("the queue layout", () => {
  it("puts each queue's keys and job hashes on its own tag (on the cluster: three masters)", async () => {
    expect(new Set([keys.jobTag(A), keys.jobTag(B), keys.jobTag(C)]).size).toBe(3);
    expect(keys.queue(A)).toBe(`${keys.queueTag(A)}:queue:${A}`);
    expect(keys.forward(keys.jobTag(A))).toBe(`${keys.queueTag(A)}:forward`);
    if (ON_TOPOLOGY) expect(new Set(await Promise.all([A, B, C].map((q) => masterOf(env.redis, keys.queue(q))))).size).toBe(3);
    const job = await put(A);
    expect(await env.redis.exists(keys.job(job.id, keys.jobTag(A)))).toBe(1);
    expect(await env.redis.exists(keys.job(job.id))).toBe(0);
    expect(await env.redis.xlen(keys.events(keys.jobTag(A)))).toBeGreaterThan(0);
    expect(await env.redis.sismember(keys.queues(), A)).toBe(1);
    expect((await take([A]))?.id).toBe(job.id);
    expect((await getQueueStatsWith(env))[A]).toMatchObject({ queued: 0, started: 1 });
  });
});

describe("take over several tags", () => {
  it("serves the queues in priority order, one call per tag until one answers", async () => {
    const b = await put(B);
    const c = await put(C);
    expect((await take([A, B, C]))?.id).toBe(b.id);
    expect(calls).toBe(2); // A empty, B answers
    calls = 0;
    expect((await take([A, B, C]))?.id).toBe(c.id);
    expect(calls).toBe(3);
    calls = 0;
    expect(await take([A, B, C])).toBeNull();
    expect(calls).toBe(3);
  });

  it("round robin rotates the start across tags", async () => {
    const a = await put(A);
    const b = await put(B);
    const rr = (w: string) => dequeue(env, { queues: [A, B], worker: w, leaseMs: 60_000, strategy: "round_robin" });
    const first = await rr("rr");
    const second = await rr("rr");
    expect([first?.id, second?.id].sort()).toEqual([a.id, b.id].sort());
  });
});

describe("completion and the next job across tags", () => {
  it("takes in the completion's call from queues of its tag, else completes then dequeues", async () => {
    const [a1, a2, b1] = [await put(A), await put(A), await put(B)];
    const started = await take([A]);
    expect(started?.id).toBe(a1.id);
    calls = 0;
    const same = await completeAndTake(counted(), { job: started!, worker: "w", result: 1 }, { queues: [A], worker: "w", leaseMs: 60_000 });
    expect(same).toMatchObject({ outcome: "finished" });
    expect(same.next?.id).toBe(a2.id);
    expect(calls).toBe(1);
    calls = 0;
    const across = await completeAndTake(counted(), { job: same.next!, worker: "w", result: 2 }, { queues: [B, A], worker: "w", leaseMs: 60_000 });
    expect(across.outcome).toBe("finished");
    expect(across.next?.id).toBe(b1.id);
    expect(calls).toBe(2);
    expect(await env.redis.zscore(keys.finished(A), a2.id)).not.toBeNull();
  });

  it("completes a burst over two tags in one call per tag, taking from a third", async () => {
    const [a, b, c] = [await put(A), await put(B), await put(C)];
    const ta = await take([A]);
    const tb = await take([B]);
    calls = 0;
    const r = await completeMany(counted(), {
      worker: "w",
      items: [{ job: ta!, result: 1 }, { job: tb!, result: 2 }],
      take: { options: { queues: [C], worker: "w", leaseMs: 60_000 }, count: 2 },
    });
    expect(r.outcomes).toEqual(["finished", "finished"]);
    expect(r.next.map((j) => j.id)).toEqual([c.id]);
    expect(calls).toBe(2 + 2); // one per tag, then dequeues until one finds C empty
    expect(await env.redis.zscore(keys.finished(A), a.id)).not.toBeNull();
    expect(await env.redis.zscore(keys.finished(B), b.id)).not.toBeNull();
  });
});

describe("heartbeat, reap and promote per tag", () => {
  it("extends, reaps and promotes the jobs of each tag with a call of that tag", async () => {
    const [a, b] = [await put(A), await put(B)];
    const ta = await take([A], "hb");
    const tb = await take([B], "hb");
    expect([ta?.id, tb?.id]).toEqual([a.id, b.id]);
    calls = 0;
    expect(await heartbeat(counted(), { worker: "hb", jobs: [{ id: a.id, queue: A }, { id: b.id, queue: B }], leaseMs: 1_000 })).toEqual({ extended: 2, cancelRequested: [], leaseLost: [] });
    expect(calls).toBe(2);
    f.clock.advance(5_000);
    const reaped = await reapStalled(env, { stallLimit: 3 });
    expect(reaped.requeued.sort()).toEqual([a.id, b.id].sort());
    expect(await env.redis.lrange(keys.queue(A), 0, -1)).toContain(a.id);
    expect(await env.redis.lrange(keys.queue(B), 0, -1)).toContain(b.id);
    // drain what is queued, then promote delayed jobs of two tags
    while (await take([A, B, C])) {}
    const [da, db] = [await put(A, { delay: 1 }), await put(B, { delay: 1 })];
    f.clock.advance(2_000);
    expect(await promoteScheduled(env)).toBe(2);
    expect(await env.redis.lrange(keys.queue(A), 0, -1)).toEqual([da.id]);
    expect(await env.redis.lrange(keys.queue(B), 0, -1)).toEqual([db.id]);
    while (await take([A, B, C])) {}
  });
});

describe("enqueue of several queues", () => {
  it("is one call per tag; a refusal on one tag after another wrote is a partial error", async () => {
    calls = 0;
    const jobs = await enqueueManyWith(counted(), [
      { method: METHOD, options: { queue: A } },
      { method: METHOD, options: { queue: B } },
      { method: METHOD, options: { queue: A } },
    ]);
    expect(jobs.map((j) => j.queue)).toEqual([A, B, A]);
    expect(calls).toBe(2);
    expect(await env.redis.lrange(keys.queue(A), 0, -1)).toEqual([jobs[0]!.id, jobs[2]!.id]);
    expect(await env.redis.lrange(keys.queue(B), 0, -1)).toEqual([jobs[1]!.id]);
    // B's id is taken by a live job: A's job is written, B's call refused
    const partial = enqueueManyWith(env, [
      { method: METHOD, options: { queue: A, jobId: "fresh-a" } },
      { method: METHOD, options: { queue: B, jobId: jobs[1]!.id } },
    ]);
    await expect(partial).rejects.toMatchObject({ code: "ENQUEUE_PARTIAL", message: expect.stringContaining("fresh-a") });
    expect(await env.redis.lrange(keys.queue(A), 0, -1)).toContain("fresh-a");
    // refused on both tags: the refusal itself, nothing written
    await expect(enqueueManyWith(env, [
      { method: METHOD, options: { queue: A, jobId: "fresh-a" } },
      { method: METHOD, options: { queue: B, jobId: jobs[1]!.id } },
    ])).rejects.toMatchObject({ code: "JOB_ID_TAKEN" });
    while (await take([A, B, C])) {}
  });

  it("records a scheduled (guarded) enqueue's slot on its queue's tag, with the job", async () => {
    const before = await env.redis.llen(keys.queue(A));
    const r = await enqueueScheduled(env, { task: "t1", slot: 1_000, method: METHOD, queue: A, kwargs: {}, catchup: false });
    expect(r.outcome).toBe("enqueued");
    expect(await env.redis.llen(keys.queue(A))).toBe(before + 1);
    expect(await env.redis.hget(keys.lastSlots(keys.jobTag(A)), "t1")).toBe("1000");
    expect(await env.redis.hget(keys.lastSlots(), "t1")).toBeNull();
    while (await take([A, B, C])) {}
  });
});
