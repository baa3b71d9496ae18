import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UnrecoverableError } from "../../src/base/errors.js";
import { setActiveContext } from "../../src/queue/context.js";
import { enqueue } from "../../src/queue/enqueue.js";
import { completeJob, dequeue, failJob, heartbeat, promoteScheduled, reapStalled, requeueJob, waitForJobs } from "../../src/queue/lifecycle.js";
import { cleanRegistries, getJob, getJobAttempts, getQueueStats, requeue } from "../../src/queue/registry.js";
import { testConnection } from "../helpers/redis.js";
import { placesOf, queueFixture, T0, type QueueFixture } from "./helpers.js";

// A fresh prefix per test: reapers and sweeps look at every queue, so tests must not share one.
let f: QueueFixture;
beforeEach(async () => {
  f = await queueFixture("lifecycle", { "my_app.tasks.work": () => 1 });
});
afterEach(async () => {
  setActiveContext(undefined);
  await f.t.cleanup();
});

const put = (queue: string, extra: Record<string, unknown> = {}) => enqueue("my_app.tasks.work", { queue, ...extra });
const take = (queue: string, worker = "w1", leaseMs = 30_000) => dequeue(f.env, { queues: [queue], worker, leaseMs });

describe("dequeue", () => {
  it("leases the head of the first non-empty queue: started registry, attempt+1, worker", async () => {
    const a = await put("long");
    const job = await dequeue(f.env, { queues: ["short", "long"], worker: "w1", leaseMs: 5000 });
    expect(job).toMatchObject({ id: a.id, status: "started", attempt: 1, worker: "w1", startedAt: T0 });
    expect(await f.env.redis.zscore(f.env.keys.started("long"), a.id)).toBe(String(T0 + 5000));
    expect(await dequeue(f.env, { queues: ["short", "long"], worker: "w1", leaseMs: 5000 })).toBeNull();
    await completeJob(f.env, { job: job!, worker: "w1", result: null });
  });

  it("priority takes queues in order; round_robin rotates the start", async () => {
    for (const name of ["short", "default", "short", "default"]) await put(name);
    const order = ["short", "default"];
    const rr: string[] = [];
    for (let i = 0; i < 4; i++) rr.push((await dequeue(f.env, { queues: order, worker: "rr", leaseMs: 1000, strategy: "round_robin" }))!.queue);
    expect(rr).toEqual(["short", "default", "short", "default"]);
    for (const name of ["short", "default", "short"]) await put(name);
    const pr: string[] = [];
    for (let i = 0; i < 3; i++) pr.push((await dequeue(f.env, { queues: order, worker: "p", leaseMs: 1000 }))!.queue);
    expect(pr).toEqual(["short", "short", "default"]);
  });
});

describe("ownership", () => {
  it("complete, fail, requeue refuse with lease-lost for a job the caller does not own", async () => {
    const a = await put("default");
    const job = (await take("default", "owner"))!;
    expect(job.id).toBe(a.id);
    const before = await f.env.redis.hgetall(f.env.keys.job(a.id, f.env.keys.jobTag("default")));
    expect(await completeJob(f.env, { job, worker: "intruder", result: 1 })).toBe("lease-lost");
    expect(await failJob(f.env, { job, worker: "intruder", error: new Error("x") })).toBe("lease-lost");
    expect(await requeueJob(f.env, { job, worker: "intruder", reason: "x" })).toBe(false);
    expect(before).toMatchObject({ status: "started", worker: "owner" });
    expect(await f.env.redis.hgetall(f.env.keys.job(a.id, f.env.keys.jobTag("default")))).toEqual(before);
    expect(await completeJob(f.env, { job, worker: "owner", result: 1 })).toBe("finished");
    // finished: nobody owns it any more, not even the former owner
    expect(await completeJob(f.env, { job, worker: "owner", result: 2 })).toBe("lease-lost");
    expect(await failJob(f.env, { job, worker: "owner", error: new Error("late") })).toBe("lease-lost");
    expect((await getJob(a.id))?.result).toBe(1);
  });

  it("heartbeat extends only the caller's leases", async () => {
    const a = await put("default");
    const job = (await take("default", "hb", 1000))!;
    f.clock.set(T0 + 500);
    await heartbeat(f.env, { worker: "other", jobs: [{ id: a.id, queue: "default" }], leaseMs: 99_000 });
    expect(await f.env.redis.zscore(f.env.keys.started("default"), a.id)).toBe(String(T0 + 1000));
    await heartbeat(f.env, { worker: "hb", jobs: [{ id: a.id, queue: "default" }], leaseMs: 10_000 });
    expect(await f.env.redis.zscore(f.env.keys.started("default"), a.id)).toBe(String(T0 + 10_500));
    await completeJob(f.env, { job, worker: "hb", result: null });
  });

  it("requeueJob puts a started job at the FRONT and records the attempt as requeued", async () => {
    const a = await put("short");
    const b = await put("short");
    const job = (await take("short", "w"))!;
    expect(job.id).toBe(a.id);
    expect(await requeueJob(f.env, { job, worker: "w", reason: "shutdown" })).toBe(true);
    expect(await f.env.redis.lrange(f.env.keys.queue("short"), 0, -1)).toEqual([a.id, b.id]);
    expect(await getJobAttempts(a.id)).toMatchObject([{ attempt: 1, worker: "w", outcome: "requeued", reason: "shutdown" }]);
    expect((await getJob(a.id))?.status).toBe("queued");
    expect((await getJob(a.id))?.worker).toBeUndefined();
  });
});

describe("retries", () => {
  it("exponential 60 s: fail -> +60 s, promote, fail -> +120 s, +240 s, then failed, each attempt recorded", async () => {
    const a = await put("long", { retry: { max: 3 } });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const job = (await take("long", `w${attempt}`))!;
      expect(job).toMatchObject({ id: a.id, attempt });
      f.clock.advance(1000); // the attempt runs for 1 s
      const failedAt = f.clock();
      const verdict = await failJob(f.env, { job, worker: `w${attempt}`, error: new Error(`boom ${attempt}`) });
      if (attempt < 4) {
        expect(verdict).toBe("retry-scheduled");
        const runAt = Number(await f.env.redis.zscore(f.env.keys.scheduled("long"), a.id));
        delays.push(runAt - failedAt);
        f.clock.set(runAt - 1);
        expect(await promoteScheduled(f.env)).toBe(0);
        f.clock.set(runAt);
        expect(await promoteScheduled(f.env)).toBe(1);
      } else {
        expect(verdict).toBe("failed");
      }
    }
    expect(delays).toEqual([60_000, 120_000, 240_000]);
    const job = await getJob(a.id);
    expect(job).toMatchObject({ status: "failed", attempt: 4, retries: 3, error: { name: "Error", message: "boom 4" } });
    const attempts = await getJobAttempts(a.id);
    expect(attempts.map((x) => [x.attempt, x.worker, x.outcome, x.error?.message])).toEqual([
      [1, "w1", "failed", "boom 1"],
      [2, "w2", "failed", "boom 2"],
      [3, "w3", "failed", "boom 3"],
      [4, "w4", "failed", "boom 4"],
    ]);
    expect(attempts[0]!.endedAt! - attempts[0]!.startedAt).toBe(1000);
    expect(attempts[0]!.error?.stack).toContain("boom 1");
    expect((await placesOf(f.env)).get(a.id)).toEqual(["failed:long"]);
  });

  it("UnrecoverableError fails at once; a timeout is recorded as such", async () => {
    const a = await put("default", { retry: { max: 5, backoff: "fixed", delay: 1 } });
    const job = (await take("default"))!;
    expect(await failJob(f.env, { job, worker: "w1", error: new UnrecoverableError("bad input") })).toBe("failed");
    expect((await getJob(a.id))?.error?.name).toBe("UnrecoverableError");
    const b = await put("default", { retry: { max: 1, backoff: "fixed", delay: 0 } });
    const jb = (await take("default"))!;
    expect(await failJob(f.env, { job: jb, worker: "w1", error: new Error("too slow"), reason: "timeout" })).toBe("retry-scheduled");
    // delay 0: straight back on the queue
    expect((await getJob(b.id))?.status).toBe("queued");
    expect((await getJobAttempts(b.id))[0]?.outcome).toBe("timeout");
  });

  it("requeue() brings a failed job back with its history and a fresh retry budget", async () => {
    const a = await put("short", { retry: { max: 0 } });
    const job = (await take("short"))!;
    await failJob(f.env, { job, worker: "w1", error: new Error("x") });
    expect(await f.env.redis.pttl(f.env.keys.job(a.id, f.env.keys.jobTag("short")))).toBeGreaterThan(0);
    await requeue(a.id);
    expect((await placesOf(f.env)).get(a.id)).toEqual(["queued:short"]);
    expect(await f.env.redis.pttl(f.env.keys.job(a.id, f.env.keys.jobTag("short")))).toBe(-1);
    expect(await getJobAttempts(a.id)).toHaveLength(1);
    await expect(requeue(a.id)).rejects.toThrow(`requeue: job "${a.id}" is queued; only failed or canceled jobs can be requeued`);
  });
});

describe("reapStalled", () => {
  it("requeues an expired lease to the front with stalls+1, then fails it as abandoned past the limit", async () => {
    const a = await put("my_custom_queue");
    let job = (await take("my_custom_queue", "dead-1", 1000))!;
    f.clock.set(T0 + 999);
    expect(await reapStalled(f.env, { stallLimit: 1 })).toEqual({ requeued: [], failed: [] });
    f.clock.set(T0 + 1000);
    const [r1, r2] = await Promise.all([reapStalled(f.env, { stallLimit: 1 }), reapStalled(f.env, { stallLimit: 1 })]);
    expect([...r1.requeued, ...r2.requeued]).toEqual([a.id]);
    expect((await getJob(a.id))).toMatchObject({ status: "queued", stalls: 1 });
    // the dead worker comes back: its lease is gone
    expect(await completeJob(f.env, { job, worker: "dead-1", result: 1 })).toBe("lease-lost");
    job = (await take("my_custom_queue", "dead-2", 1000))!;
    expect(job.attempt).toBe(2);
    f.clock.set(T0 + 5000);
    const r3 = await reapStalled(f.env, { stallLimit: 1 });
    expect(r3).toEqual({ requeued: [], failed: [a.id] });
    const failed = await getJob(a.id);
    expect(failed?.status).toBe("failed");
    // dead-2 took it at T0+1000 with a 1 s lease: it was last known alive until T0+2000
    expect(failed?.error?.message).toContain(`abandoned: worker dead-2 died at ${new Date(T0 + 2000).toISOString()}`);
    expect((await getJobAttempts(a.id)).map((x) => x.outcome)).toEqual(["requeued", "abandoned"]);
    expect((await placesOf(f.env)).get(a.id)).toEqual(["failed:my_custom_queue"]);
  });
});

describe("retention", () => {
  it("complete and fail trim expired entries and delete their hashes; cleanRegistries sweeps the rest", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await put("short");
      ids.push(a.id);
    }
    const j0 = (await take("short"))!;
    await completeJob(f.env, { job: j0, worker: "w1", result: "r" });
    expect(await f.env.redis.pttl(f.env.keys.job(j0.id, f.env.keys.jobTag("short")))).toBeGreaterThan(590_000);
    const j1 = (await take("short"))!;
    await failJob(f.env, { job: j1, worker: "w1", error: new Error("x") });
    expect(await f.env.redis.pttl(f.env.keys.job(j1.id, f.env.keys.jobTag("short")))).toBeGreaterThan(7 * 86_400_000 - 10_000);
    // 601 s later the finished job is past retention: the next completion trims it, hash included
    f.clock.set(T0 + 601_000);
    const j2 = (await take("short"))!;
    await completeJob(f.env, { job: j2, worker: "w1", result: "r" });
    expect(await f.env.redis.exists(f.env.keys.job(j0.id, f.env.keys.jobTag("short")), f.env.keys.attempts(j0.id, f.env.keys.jobTag("short")))).toBe(0);
    expect(await f.env.redis.zscore(f.env.keys.finished("short"), j0.id)).toBeNull();
    expect(await getJob(j1.id)).not.toBeNull();
    // a week later the sweep removes the failed one (and the second finished one)
    f.clock.set(T0 + 8 * 86_400_000);
    expect(await cleanRegistries(f.env)).toBeGreaterThanOrEqual(2);
    expect(await f.env.redis.exists(f.env.keys.job(j1.id, f.env.keys.jobTag("short")), f.env.keys.job(j2.id, f.env.keys.jobTag("short")))).toBe(0);
    expect(await f.env.redis.zcard(f.env.keys.failed("short"))).toBe(0);
  });
});

describe("waitForJobs", () => {
  it("wakes N idle workers when N jobs arrive, and returns false on timeout", async () => {
    const conns = Array.from({ length: 3 }, () => testConnection({ maxRetriesPerRequest: null }));
    try {
      expect(await waitForJobs(conns[0]!, f.env, ["long"], 0.05)).toBe(false);
      const woken = conns.map((c) => waitForJobs(c, f.env, ["long"], 5));
      await new Promise((r) => setTimeout(r, 50)); // let the three BLPOPs register
      const t0 = performance.now();
      for (let i = 0; i < 3; i++) await put("long");
      expect(await Promise.all(woken)).toEqual([true, true, true]);
      expect(performance.now() - t0).toBeLessThan(1000);
      const got = await Promise.all(conns.map((_, i) => take("long", `idle-${i}`)));
      expect(got.every((j) => j !== null)).toBe(true);
      // markers never outnumber waiting jobs: nothing left to wake anyone
      expect(await f.env.redis.llen(f.env.keys.wake("long"))).toBe(0);
    } finally {
      for (const c of conns) c.disconnect();
    }
  });
});

describe("getQueueStats", () => {
  it("counts every registry per queue", async () => {
    await put("short");
    await put("short", { delay: 60 });
    const done = (await take("short"))!;
    await completeJob(f.env, { job: done, worker: "w1", result: 1 });
    await put("long");
    await put("long");
    const bad = (await take("long"))!;
    await failJob(f.env, { job: bad, worker: "w1", error: new Error("x") });
    await take("long");
    const stats = await getQueueStats();
    const zero = { queued: 0, pending: 0, started: 0, failed: 0, scheduled: 0, finished: 0, canceled: 0, deferred: 0 };
    expect(stats).toEqual({
      short: { ...zero, scheduled: 1, finished: 1 },
      long: { ...zero, failed: 1, started: 1 },
      default: zero,
      my_custom_queue: zero,
    });
  });
});
