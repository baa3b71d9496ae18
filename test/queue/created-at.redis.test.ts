/**
 * A job queued at the moment it is created stores no createdAt (it reads as its first
 * enqueuedAt: 32 bytes of a queued job's hash, bench/README.md "Memory per queued job"); every
 * later move that rewrites enqueuedAt keeps the creation time first, a job that waits (delayed,
 * deferred, enqueued after a commit) keeps its own createdAt, and so does a signed job, which
 * verifies.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setActiveContext, type QueueEnv } from "../../src/queue/context.js";
import { enqueue, enqueueWith } from "../../src/queue/enqueue.js";
import { enqueueManyWith } from "../../src/queue/enqueue-many.js";
import { completeJob, dequeue, failJob, promoteScheduled, reapStalled, requeueJob } from "../../src/queue/lifecycle.js";
import { getJobWith, requeue } from "../../src/queue/registry.js";
import { transaction } from "../../src/queue/transaction.js";
import { signedFieldsOfJob } from "../../src/queue/job-codec.js";
import { signatureProblem } from "../../src/security/signing.js";
import type { Job } from "../../src/queue/types.js";
import { queueFixture, T0, type QueueFixture } from "./helpers.js";

const SECRET = "created-at-test-secret-0123456789";
let f: QueueFixture;
beforeEach(async () => {
  f = await queueFixture("created-at", { "my_app.tasks.work": () => 1 });
});
afterEach(async () => {
  setActiveContext(undefined);
  await f.t.cleanup();
});

const put = async (extra: Record<string, unknown> = {}, env: QueueEnv = f.env) => (await enqueueWith(env, "my_app.tasks.work", { queue: "default", ...extra })) as Job;
const take = async (worker = "w1", env: QueueEnv = f.env) => (await dequeue(env, { queues: ["default"], worker, leaseMs: 30_000 }))!;
/** The createdAt field of a job of queue "default" (every job here), on its job tag. */
const stored = (id: string) => f.env.redis.hget(f.env.keys.job(id, f.env.keys.jobTag("default")), "createdAt");
const read = async (id: string) => (await getJobWith(f.env, id))!;
/** The job was created at `createdAt` and (re)queued at `queuedAt`. */
async function expectCreated(id: string, createdAt: number, queuedAt: number) {
  const job = await read(id);
  expect(job.enqueuedAt).toBe(queuedAt);
  expect(job.createdAt).toBe(createdAt);
}

describe("createdAt of a job queued at once", () => {
  it("is not stored, and reads as enqueuedAt (enqueue, enqueueMany)", async () => {
    const a = await put({ kwargs: { n: 1 } });
    expect(a.createdAt).toBe(T0);
    const [b] = await enqueueManyWith(f.env, [{ method: "my_app.tasks.work", options: { queue: "default" } }]);
    for (const id of [a.id, b!.id]) {
      expect(await stored(id)).toBeNull();
      const job = await read(id);
      expect(job).toMatchObject({ status: "queued", createdAt: T0, enqueuedAt: T0 });
    }
  });

  it("survives a retry queued at once, a retry after a delay (promote) and an operator's requeue", async () => {
    const a = await put({ retry: { max: 2, backoff: "fixed", delay: 0, jitter: 0 } });
    f.clock.advance(1000);
    await failJob(f.env, { job: await take(), worker: "w1", error: new Error("first") });
    expect(await stored(a.id)).toBe(String(T0));
    await expectCreated(a.id, T0, T0 + 1000);

    const b = await put({ retry: { max: 1, backoff: "fixed", delay: 5, jitter: 0 } });
    await take(); // a's retry
    f.clock.advance(1000);
    expect(await failJob(f.env, { job: await take(), worker: "w1", error: new Error("later") })).toBe("retry-scheduled");
    f.clock.advance(5000);
    expect(await promoteScheduled(f.env)).toBe(1);
    await expectCreated(b.id, T0 + 1000, T0 + 7000);

    f.clock.advance(1000);
    const job = await take();
    expect(job.id).toBe(b.id);
    expect(await failJob(f.env, { job, worker: "w1", error: new Error("for good") })).toBe("failed");
    await requeue(b.id, f.env);
    await expectCreated(b.id, T0 + 1000, T0 + 8000);
  });

  it("survives a requeue at shutdown and a stall the reaper requeues", async () => {
    const a = await put();
    f.clock.advance(1000);
    expect(await requeueJob(f.env, { job: await take(), worker: "w1", reason: "shutdown" })).toBe(true);
    await expectCreated(a.id, T0, T0 + 1000);

    await take("w2");
    f.clock.advance(60_000);
    expect((await reapStalled(f.env, { stallLimit: 3 })).requeued).toEqual([a.id]);
    await expectCreated(a.id, T0, T0 + 61_000);
    // and a dequeue (the hash a worker decodes) reads it too
    expect((await take("w3")).createdAt).toBe(T0);
  });
});

describe("createdAt of a job that waits first", () => {
  it("is stored for a delayed job and a deferred one, and kept once they are queued", async () => {
    const later = await put({ delay: 10 });
    const dep = await put();
    const deferred = await put({ dependsOn: dep.id });
    for (const id of [later.id, deferred.id]) expect(await stored(id)).toBe(String(T0));

    f.clock.advance(10_000);
    expect(await promoteScheduled(f.env)).toBe(1);
    await completeJob(f.env, { job: await take(), worker: "w1", result: null });
    await expectCreated(deferred.id, T0, T0 + 10_000);
    await expectCreated(later.id, T0, T0 + 10_000);
  });

  it("is stored for a job enqueued after a commit that came later", async () => {
    const job = await transaction(async () => {
      const j = await enqueue("my_app.tasks.work", { queue: "default", enqueueAfterCommit: true });
      f.clock.advance(250);
      return j;
    });
    expect(await stored(job.id)).toBe(String(T0));
    await expectCreated(job.id, T0, T0 + 250);
  });
});

describe("signing", () => {
  // A signed job keeps createdAt (a worker of an older version verifies over the stored field);
  // with no kwargs, the hash has none and "{}" is signed, as the worker computes it.
  it("a signed job keeps createdAt and verifies queued at once, and after a requeue rewrote enqueuedAt", async () => {
    const env: QueueEnv = { ...f.env, signing: { secret: SECRET } };
    const a = await put({}, env);
    expect(await stored(a.id)).toBe(String(T0));
    expect(await f.env.redis.hexists(f.env.keys.job(a.id, f.env.keys.jobTag("default")), "kwargs")).toBe(0);
    const verify = (job: Job) => signatureProblem(SECRET, signedFieldsOfJob(job), job.sig, f.clock());
    const first = await take("w1", env);
    expect(first.sig).toMatch(/^[0-9a-f]{64}$/);
    expect(verify(first)).toBeUndefined();
    f.clock.advance(1000);
    await requeueJob(env, { job: first, worker: "w1", reason: "shutdown" });
    const again = await take("w2", env);
    expect(again.enqueuedAt).toBe(T0 + 1000);
    expect(verify(again)).toBeUndefined();
    // a createdAt changed in Redis still breaks it
    expect(verify({ ...again, createdAt: T0 + 1 })).toMatch(/does not match/);
  });
});
