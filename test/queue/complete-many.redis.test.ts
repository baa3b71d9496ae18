/**
 * completeMany: several completions of one worker and the next leases in one script call
 * (complete_many.lua), as a child running many jobs at once sends them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { completeMany, dequeue, failJob } from "../../src/queue/lifecycle.js";
import { getJobAttempts, getJobWith } from "../../src/queue/registry.js";
import type { Job } from "../../src/queue/types.js";
import { placesOf, queueFixture, type QueueFixture } from "./helpers.js";

let f: QueueFixture;
beforeAll(async () => {
  f = await queueFixture("complete-many", { "app.tasks.a": () => null });
});
beforeEach(async () => {
  for (const q of ["short", "default"]) await f.env.redis.del(f.env.keys.queue(q), f.env.keys.wake(q));
});
afterAll(async () => {
  await f.t.cleanup();
});

const take = { worker: "w1", leaseMs: 60_000, queues: ["short", "default"] };

async function started(ids: string[], queue = "default"): Promise<Job[]> {
  for (const id of ids) await enqueueWith(f.env, "app.tasks.a", { queue, jobId: id });
  const jobs: Job[] = [];
  for (const _ of ids) jobs.push((await dequeue(f.env, { ...take, queues: [queue] }))!);
  return jobs;
}

describe("completeMany", () => {
  it("finishes every job it owns, in order, and says lease-lost (writing nothing) for one it does not", async () => {
    const [a, b, c] = await started(["m-a", "m-b", "m-c"]);
    const r = await completeMany(f.env, {
      worker: "w1",
      items: [
        { job: a!, result: { n: 1 } },
        { job: b!, result: null },
        { job: c!, result: "three" },
      ],
    });
    expect(r).toEqual({ outcomes: ["finished", "finished", "finished"], next: [] });
    expect(await getJobWith(f.env, "m-a")).toMatchObject({ status: "finished", result: { n: 1 }, worker: "w1", attempt: 1 });
    expect((await getJobWith(f.env, "m-b"))?.result).toBeNull();
    expect(await getJobWith(f.env, "m-c")).toMatchObject({ status: "finished", result: "three" });
    const places = await placesOf(f.env);
    for (const id of ["m-a", "m-b", "m-c"]) expect(places.get(id)).toEqual(["finished:default"]);
    // retention: the hash expires with the finished registry entry
    expect(await f.env.redis.pttl(f.env.keys.job("m-a", f.env.keys.jobTag("default")))).toBeGreaterThan(0);
    // a first attempt that finished keeps no list; its record comes from the job itself
    expect(await getJobAttempts("m-a", f.env)).toMatchObject([{ attempt: 1, worker: "w1", outcome: "finished" }]);

    const [mine, theirs] = await started(["m-mine", "m-theirs"]);
    await f.env.redis.hset(f.env.keys.job("m-theirs", f.env.keys.jobTag("default")), "worker", "w2"); // leased to another worker
    const r2 = await completeMany(f.env, { worker: "w1", items: [{ job: theirs!, result: 1 }, { job: mine!, result: 2 }] });
    expect(r2.outcomes).toEqual(["lease-lost", "finished"]);
    expect(await getJobWith(f.env, "m-theirs")).toMatchObject({ status: "started", worker: "w2" });
    expect((await placesOf(f.env)).get("m-theirs")).toEqual(["started:default"]);
  });

  it("records a later attempt in the history, as complete.lua does", async () => {
    const [j] = await started(["m-retry"]);
    await f.env.redis.hset(f.env.keys.job("m-retry", f.env.keys.jobTag("default")), "attempt", "2");
    const r = await completeMany(f.env, { worker: "w1", items: [{ job: { ...j!, attempt: 2 }, result: 1 }] });
    expect(r.outcomes).toEqual(["finished"]);
    expect(await getJobAttempts("m-retry", f.env)).toMatchObject([{ attempt: 2, worker: "w1", outcome: "finished" }]);
  });

  it("takes up to count next jobs in queue order, fewer when the queues run dry, and trims the wake markers", async () => {
    const [a, b] = await started(["t-a", "t-b"]);
    await enqueueWith(f.env, "app.tasks.a", { queue: "default", jobId: "t-d1" });
    await enqueueWith(f.env, "app.tasks.a", { queue: "short", jobId: "t-s1" });
    await enqueueWith(f.env, "app.tasks.a", { queue: "default", jobId: "t-d2" });
    const r = await completeMany(f.env, { worker: "w1", items: [{ job: a!, result: 1 }, { job: b!, result: 2 }], take: { options: take, count: 2 } });
    expect(r.outcomes).toEqual(["finished", "finished"]);
    expect(r.next.map((j) => j.id)).toEqual(["t-s1", "t-d1"]);
    expect(r.next[0]).toMatchObject({ status: "started", worker: "w1", attempt: 1, queue: "short" });
    expect(await f.env.redis.llen(f.env.keys.wake("default"))).toBe(1); // one job left, one marker
    expect(await f.env.redis.exists(f.env.keys.wake("short"))).toBe(0);

    const more = await completeMany(f.env, { worker: "w1", items: r.next.map((job) => ({ job, result: null })), take: { options: take, count: 3 } });
    expect(more.next.map((j) => j.id)).toEqual(["t-d2"]);
    expect(await f.env.redis.exists(f.env.keys.wake("default"))).toBe(0);
    expect((await placesOf(f.env)).get("t-d2")).toEqual(["started:default"]);
    await completeMany(f.env, { worker: "w1", items: [{ job: more.next[0]!, result: null }] });
  });

  it("releases dependents before taking, so a released one can be taken in the same call", async () => {
    const [p] = await started(["dep-parent"], "short");
    await enqueueWith(f.env, "app.tasks.a", { queue: "short", jobId: "dep-child", dependsOn: "dep-parent" });
    expect((await getJobWith(f.env, "dep-child"))?.status).toBe("deferred");
    const r = await completeMany(f.env, { worker: "w1", items: [{ job: p!, result: null }], take: { options: take, count: 1 } });
    expect(r.next.map((j) => j.id)).toEqual(["dep-child"]);
    await completeMany(f.env, { worker: "w1", items: [{ job: r.next[0]!, result: null }] });
  });

  it("writes one job.finished event per job", async () => {
    const jobs = await started(["e-1", "e-2"]);
    const before = await f.env.redis.xlen(f.env.keys.events(f.env.keys.jobTag("default")));
    await completeMany(f.env, { worker: "w1", items: jobs.map((job) => ({ job, result: null })) });
    const entries = await f.env.redis.xrange(f.env.keys.events(f.env.keys.jobTag("default")), "-", "+");
    const finished = entries.slice(before).map(([, kv]) => JSON.parse(kv[1]!) as { type: string; jobId: string });
    expect(finished.filter((e) => e.type === "job.finished").map((e) => e.jobId)).toEqual(["e-1", "e-2"]);
  });

  it("a failed job is not finished by a late completion", async () => {
    const [j] = await started(["late"]);
    expect(await failJob(f.env, { job: j!, worker: "w1", error: new Error("boom") })).toBe("failed");
    const r = await completeMany(f.env, { worker: "w1", items: [{ job: j!, result: 1 }] });
    expect(r.outcomes).toEqual(["lease-lost"]);
    expect((await getJobWith(f.env, "late"))?.status).toBe("failed");
  });
});
