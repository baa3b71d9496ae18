/**
 * The queues set (keys.queues(), on the installation tag) is written by the callers of the
 * scripts that create jobs, not by the scripts (issue 17: a job script keeps to its queue's
 * tag): every path that creates a job in a queue lists that queue, and the enqueue script on
 * its own lists nothing. The maintenance that walks the set (promote) still finds the queue.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { enqueue } from "../../src/queue/enqueue.js";
import { enqueueManyWith } from "../../src/queue/enqueue-many.js";
import { enqueueScheduled } from "../../src/queue/enqueue-scheduled.js";
import { completeJob, dequeue, failJob, promoteScheduled } from "../../src/queue/lifecycle.js";
import { normalizeOptions } from "../../src/queue/options.js";
import { buildPrepared } from "../../src/queue/prepare.js";
import { specJson } from "../../src/queue/push.js";
import { runJobScript } from "../../src/queue/job-scripts.js";
import { cleanRegistries, getJob } from "../../src/queue/registry.js";
import { setActiveContext } from "../../src/queue/context.js";
import { queueFixture, type QueueFixture } from "./helpers.js";

const METHOD = "app.tasks.noop";
let f: QueueFixture;
beforeAll(async () => {
  f = await queueFixture("queues-set", { [METHOD]: () => "ok" });
  for (const q of ["qa", "qb", "qc", "qd", "qe", "qf", "qg", "qh"]) f.env.queues[q] = { timeout: 60, workers: 1, concurrency: 1 };
});
beforeEach(async () => {
  setActiveContext(f.env);
  await f.env.redis.del(f.env.keys.queues());
});
afterAll(() => f.t.cleanup());

const listed = () => f.env.redis.smembers(f.env.keys.queues()).then((q) => q.sort());
const prepared = (queue: string, extra: Record<string, unknown> = {}) => buildPrepared(f.env, METHOD, normalizeOptions({ queue, ...extra })).prepared;

describe("the queues set is written by the callers", () => {
  it("the enqueue script alone writes the job and lists no queue", async () => {
    const p = prepared("qa");
    await runJobScript(f.env, "enqueue", ["", specJson(p)], [], f.env.keys.jobTag("qa"));
    expect((await getJob(p.id))?.status).toBe("queued");
    expect(await listed()).toEqual([]);
  });

  it("enqueue and enqueueMany list every queue they write to, once", async () => {
    await enqueue(METHOD, { queue: "qa" });
    await enqueueManyWith(f.env, [
      { method: METHOD, options: { queue: "qb" } },
      { method: METHOD, options: { queue: "qc" } },
      { method: METHOD, options: { queue: "qb" } },
    ]);
    expect(await listed()).toEqual(["qa", "qb", "qc"]);
  });

  it("a refused enqueue may list its queue, with no job in it: harmless, and listing again is a no-op", async () => {
    const job = await enqueue(METHOD, { queue: "qd", job_id: "taken-id" });
    await expect(enqueue(METHOD, { queue: "qe", job_id: "taken-id" })).rejects.toThrow(/is taken/);
    // on one tag the script lists qe, then refuses; on the per-queue layout the id is found on
    // qd's tag before any script runs (src/queue/ids-elsewhere.ts)
    expect(await listed()).toEqual(f.env.keys.jobTags === "queue" ? ["qd"] : ["qd", "qe"]);
    expect(await f.env.redis.llen(f.env.keys.queue("qe"))).toBe(0);
    expect((await getJob(job.id))?.queue).toBe("qd");
  });

  it("a scheduled fire lists the task's queue", async () => {
    const r = await enqueueScheduled(f.env, { task: "cron:* * * * *|app.tasks.noop", slot: f.env.clock(), method: METHOD, queue: "qf", kwargs: {}, catchup: false });
    expect(r.outcome).toBe("enqueued");
    expect(await listed()).toEqual(["qf"]);
  });

  it("a completion's follow-up jobs list their queues; a completion without any lists nothing", async () => {
    await enqueue(METHOD, { queue: "qa" });
    await f.env.redis.del(f.env.keys.queues());
    const job = await dequeue(f.env, { queues: ["qa"], worker: "w", leaseMs: 60_000 });
    expect(job).not.toBeNull();
    const follow = prepared("qg");
    expect(await completeJob(f.env, { job: job!, worker: "w", result: null, followUps: [follow] })).toBe("finished");
    expect(await listed()).toEqual(["qg"]);
    expect((await getJob(follow.id))?.status).toBe("queued");

    await enqueue(METHOD, { queue: "qa" });
    await f.env.redis.del(f.env.keys.queues());
    const plain = await dequeue(f.env, { queues: ["qa"], worker: "w", leaseMs: 60_000 });
    expect(await completeJob(f.env, { job: plain!, worker: "w", result: null })).toBe("finished");
    expect(await listed()).toEqual([]);
  });

  it("promotion reads the set in the caller: the script looks only at the queues it is given", async () => {
    const a = await enqueue(METHOD, { queue: "qa", delay: 5 });
    const b = await enqueue(METHOD, { queue: "qb", delay: 5 });
    f.clock.advance(6000);
    expect(await runJobScript(f.env, "promote", [1000])).toBe(0);
    expect(await runJobScript(f.env, "promote", [1000, "qa"], [], f.env.keys.jobTag("qa"))).toBe(1);
    expect((await getJob(a.id))?.status).toBe("queued");
    expect((await getJob(b.id))?.status).toBe("scheduled");
    expect(await promoteScheduled(f.env)).toBe(1);
    expect((await getJob(b.id))?.status).toBe("queued");
  });

  it("the retention sweep reads the set in the caller too", async () => {
    await f.env.redis.del(f.env.keys.queue("qc"));
    const job = await enqueue(METHOD, { queue: "qc" });
    const taken = await dequeue(f.env, { queues: ["qc"], worker: "w", leaseMs: 60_000 });
    expect(taken?.id).toBe(job.id);
    expect(await completeJob(f.env, { job: taken!, worker: "w", result: null })).toBe("finished");
    f.clock.advance((f.env.retention.finished + 60) * 1000);
    const inRegistry = () => f.env.redis.zscore(f.env.keys.finished("qc"), job.id);
    expect(await runJobScript(f.env, "clean", [1000])).toBe(0);
    expect(await inRegistry()).not.toBeNull();
    expect(await cleanRegistries(f.env)).toBeGreaterThanOrEqual(1);
    expect(await inRegistry()).toBeNull();
  });

  it("a delayed job and a retry stay in a listed queue, so promotion finds them", async () => {
    const delayed = await enqueue(METHOD, { queue: "qh", delay: 5, retry: { max: 1, delay: 1, jitter: 0 } });
    expect(await listed()).toEqual(["qh"]);
    f.clock.advance(6000);
    expect(await promoteScheduled(f.env)).toBe(1);
    const started = await dequeue(f.env, { queues: ["qh"], worker: "w", leaseMs: 60_000 });
    expect(started?.id).toBe(delayed.id);
    expect(await failJob(f.env, { job: started!, worker: "w", error: new Error("boom") })).toBe("retry-scheduled");
    expect((await getJob(delayed.id))?.status).toBe("scheduled");
    f.clock.advance(60_000);
    expect(await promoteScheduled(f.env)).toBe(1);
    expect((await getJob(delayed.id))?.status).toBe("queued");
  });
});
