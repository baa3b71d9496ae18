import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { enqueueScheduled } from "../../src/queue/enqueue-scheduled.js";
import { completeJob, dequeue } from "../../src/queue/lifecycle.js";
import type { Job } from "../../src/queue/types.js";
import { testConnection } from "../helpers/redis.js";
import { placesOf, queueFixture, T0, type QueueFixture } from "./helpers.js";

let f: QueueFixture;
let conns: Redis[] = [];
beforeAll(async () => {
  f = await queueFixture("concurrency", { "my_app.tasks.daily_report": () => 1 });
  conns = Array.from({ length: 20 }, () => testConnection({ maxRetriesPerRequest: 2 }));
  await Promise.all(conns.map((c) => c.ping()));
});
afterAll(async () => {
  for (const c of conns) c.disconnect();
  await f.t.cleanup();
});

/** The env as seen by one of 20 separate processes: same prefix, its own connection. */
const envOn = (c: Redis) => ({ ...f.env, redis: c });

describe("deduplicate under concurrency", () => {
  it("20 concurrent enqueues of one id from 20 connections make exactly one job", async () => {
    const jobs = (await Promise.all(
      conns.map((c, i) => enqueueWith(envOn(c), "my_app.tasks.daily_report", { jobId: "bulk_op_chunk_0", deduplicate: true, i })),
    )) as Job[];
    expect(jobs.filter((j) => !j.deduplicated)).toHaveLength(1);
    expect(jobs.filter((j) => j.deduplicated)).toHaveLength(19);
    const winner = jobs.find((j) => !j.deduplicated)!;
    expect(new Set(jobs.map((j) => j.kwargs.i))).toEqual(new Set([winner.kwargs.i]));
    expect(await f.env.redis.lrange(f.env.keys.queue("default"), 0, -1)).toEqual(["bulk_op_chunk_0"]);
  });

  it("20 concurrent enqueues of one id without deduplicate: one job, 19 clear refusals", async () => {
    const settled = await Promise.allSettled(conns.map((c) => enqueueWith(envOn(c), "my_app.tasks.daily_report", { queue: "long", jobId: "solo" })));
    expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(1);
    const reasons = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected").map((s) => (s.reason as Error).message);
    expect(reasons).toHaveLength(19);
    expect(new Set(reasons)).toEqual(new Set(['enqueue: job id "solo" is taken by a queued job']));
  });
});

describe("enqueueScheduled guard", () => {
  const input = { task: "daily|my_app.tasks.daily_report", method: "my_app.tasks.daily_report", queue: "short", kwargs: {}, catchup: false };

  it("20 daemons firing one slot enqueue it once", async () => {
    const results = await Promise.all(conns.map((c) => enqueueScheduled(envOn(c), { ...input, slot: T0 })));
    const enqueued = results.filter((r) => r.outcome === "enqueued");
    expect(enqueued).toHaveLength(1);
    expect(results.filter((r) => r.outcome === "slot-taken")).toHaveLength(19);
    const job = (enqueued[0] as { job: Job }).job;
    expect(job).toMatchObject({ task: input.task, scheduledFor: T0, catchup: false, status: "queued" });
    expect(await f.env.redis.hget(f.env.keys.lastSlots(f.env.keys.jobTag(input.queue)), input.task)).toBe(String(T0));
    expect(await f.env.redis.hget(f.env.keys.lastJobs(f.env.keys.jobTag(input.queue)), input.task)).toBe(job.id);
    // an older slot is taken too
    expect(await enqueueScheduled(f.env, { ...input, slot: T0 - 60_000 })).toEqual({ outcome: "slot-taken" });
  });

  it("the next slot while the last job is live is an overlap: slot recorded, nothing enqueued", async () => {
    const lastId = await f.env.redis.hget(f.env.keys.lastJobs(f.env.keys.jobTag(input.queue)), input.task);
    const before = await f.env.redis.llen(f.env.keys.queue("short"));
    expect(await enqueueScheduled(f.env, { ...input, slot: T0 + 86_400_000 })).toEqual({ outcome: "overlap", runningJobId: lastId });
    expect(await f.env.redis.llen(f.env.keys.queue("short"))).toBe(before);
    expect(await enqueueScheduled(f.env, { ...input, slot: T0 + 86_400_000 })).toEqual({ outcome: "slot-taken" });
    // once the last job finished, the following slot enqueues (with jitter: scheduled later)
    const job = (await dequeue(f.env, { queues: ["short"], worker: "w", leaseMs: 1000 }))!;
    expect(job.id).toBe(lastId);
    await completeJob(f.env, { job, worker: "w", result: null });
    const next = await enqueueScheduled(f.env, { ...input, slot: T0 + 2 * 86_400_000, catchup: true, jitterMs: 5000 });
    expect(next.outcome).toBe("enqueued");
    const nj = (next as { job: Job }).job;
    expect(nj).toMatchObject({ status: "scheduled", scheduledFor: T0 + 2 * 86_400_000, catchup: true });
    expect((await placesOf(f.env)).get(nj.id)).toEqual(["scheduled:short"]);
    expect(await f.env.redis.zscore(f.env.keys.scheduled("short"), nj.id)).toBe(String(T0 + 5000));
  });
});
