/**
 * A job by its id alone (src/queue/find-job.ts): every by-id read probes the tag of every known
 * queue. By default every queue's job keys are on the installation tag; the second half puts them
 * on each queue's own tag (the keys' "queue" layout), as issue 17 will, and the same reads still
 * find each job, its children and attempts, on one Redis and on a cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeys, type Keys } from "../../src/redis/keys.js";
import { enqueue, enqueueWith } from "../../src/queue/enqueue.js";
import type { Job } from "../../src/queue/types.js";
import { completeJob, dequeue, heartbeat } from "../../src/queue/lifecycle.js";
import { jobTagsToProbe, locateJob, readJobFields } from "../../src/queue/find-job.js";
import { getJobAttempts, getJobWith } from "../../src/queue/registry.js";
import { readJobDetail } from "../../src/ops/job-detail.js";
import { resolveJobId } from "../../src/ops/job-id-prefix.js";
import type { QueueEnv } from "../../src/queue/context.js";
import { preloadScripts } from "../../src/redis/scripts.js";
import { queueFixture, T0, type QueueFixture } from "./helpers.js";

const METHOD = "app.tasks.noop";
let f: QueueFixture;
beforeAll(async () => {
  f = await queueFixture("find-job", { [METHOD]: () => "ok" });
});
afterAll(() => f.t.cleanup());

describe("job by id, in the tests' layout (the installation tag unless TEST_JOB_TAGS=queue)", () => {
  it("every known queue probes its job tag (one on the installation layout); getJob, attempts, jobs show and the id lookup find the job", async () => {
    const configured = Object.keys(f.env.queues).sort();
    expect(await jobTagsToProbe(f.env)).toEqual(f.env.keys.jobTags === "installation" ? [f.env.keys.root] : configured.map((q) => f.env.keys.queueTag(q)));
    const job = await enqueue(METHOD, { queue: "short" });
    const taken = await dequeue(f.env, { queues: ["short"], worker: "w", leaseMs: 60_000 });
    expect(await completeJob(f.env, { job: taken!, worker: "w", result: 1 })).toBe("finished");
    expect((await getJobWith(f.env, job.id))?.status).toBe("finished");
    expect(await getJobAttempts(job.id, f.env)).toMatchObject([{ attempt: 1, outcome: "finished", worker: "w" }]);
    expect((await readJobDetail(f.env, job.id))?.job.id).toBe(job.id);
    expect(await resolveJobId(f.env, job.id)).toBe(job.id);
    expect(await getJobWith(f.env, "no-such-id")).toBeNull();
    expect(await resolveJobId(f.env, "no-such-id")).toBeUndefined();
  });
});

describe("job by id, each queue's job keys on its own tag", () => {
  let env: QueueEnv;
  let keys: Keys;
  beforeAll(() => {
    keys = createKeys(f.env.keys.prefix, { jobTags: "queue" });
    env = { ...f.env, keys };
  });

  /** A job hash written where a queue-tagged installation keeps it. */
  async function writeJob(queue: string, id: string, fields: Record<string, string | number>) {
    const tag = keys.jobTag(queue);
    await env.redis.hset(keys.job(id, tag), { method: METHOD, queue, status: "queued", enqueuedAt: T0, createdAt: T0, kwargs: "{}", ...fields });
    await env.redis.sadd(keys.queues(), queue);
    return tag;
  }

  it("probes every known queue's tag and finds each job on its own, with its children and attempts", async () => {
    const tagA = await writeJob("qa", "job-a", { status: "failed", attempt: 2 });
    const tagB = await writeJob("qb", "job-b", { parentId: "job-a" });
    await env.redis.rpush(keys.children("job-a", tagA), "job-b");
    await env.redis.rpush(keys.attempts("job-a", tagA), JSON.stringify({ attempt: 1, worker: "w", startedAt: T0, endedAt: T0 + 1, outcome: "failed" }));
    expect(tagA).not.toBe(tagB);
    const tags = await jobTagsToProbe(env);
    expect(tags).toEqual(expect.arrayContaining([tagA, tagB, keys.queueTag("default")]));

    const a = await getJobWith(env, "job-a");
    expect(a).toMatchObject({ id: "job-a", queue: "qa", status: "failed", children: ["job-b"] });
    expect(await getJobAttempts("job-a", env)).toMatchObject([{ attempt: 1, outcome: "failed" }]);
    expect((await locateJob(env, "job-b"))?.tag).toBe(tagB);
    expect(await readJobFields(env, ["job-b", "missing", "job-a"], ["status", "queue"])).toEqual([["queued", "qb"], undefined, ["failed", "qa"]]);

    const detail = await readJobDetail(env, "job-b");
    expect(detail?.parent).toEqual({ id: "job-a", status: "failed", method: METHOD });
    const parent = await readJobDetail(env, "job-a");
    expect(parent?.children).toEqual([{ id: "job-b", status: "queued", method: METHOD }]);
    expect(await resolveJobId(env, "job-b")).toBe("job-b");
  });

  it("a heartbeat over jobs of two queues' tags is one script call per tag, its answers merged", async () => {
    const a = (await enqueueWith(env, METHOD, { queue: "short" })) as Job;
    const b = (await enqueueWith(env, METHOD, { queue: "long" })) as Job;
    const ta = await dequeue(env, { queues: ["short"], worker: "hb", leaseMs: 60_000 });
    const tb = await dequeue(env, { queues: ["long"], worker: "hb", leaseMs: 60_000 });
    expect([ta?.id, tb?.id]).toEqual([a.id, b.id]);
    // the same on the installation layout: both queues on one tag
    const installation: QueueEnv = { ...f.env, keys: createKeys(f.env.keys.prefix) };
    const c = (await enqueueWith(installation, METHOD, { queue: "short" })) as Job;
    const d = (await enqueueWith(installation, METHOD, { queue: "long" })) as Job;
    expect((await dequeue(installation, { queues: ["short", "long"], worker: "hb", leaseMs: 60_000 }))?.id).toBe(c.id);
    expect((await dequeue(installation, { queues: ["short", "long"], worker: "hb", leaseMs: 60_000 }))?.id).toBe(d.id);
    await preloadScripts(f.env.redis, ["heartbeat"]); // no NOSCRIPT retry (EVAL after EVALSHA) to count
    let calls = 0;
    const redis = new Proxy(f.env.redis, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (prop === "evalsha" || prop === "eval") calls++;
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    // each call runs on its queue's tag, where that job's keys are
    f.clock.advance(1000);
    const r = await heartbeat({ ...env, redis }, { worker: "hb", jobs: [{ id: a.id, queue: "short" }, { id: b.id, queue: "long" }], leaseMs: 60_000 });
    expect(calls).toBe(2);
    expect(r).toEqual({ extended: 2, cancelRequested: [], leaseLost: [] });
    calls = 0;
    f.clock.advance(1000);
    expect(await heartbeat({ ...installation, redis }, { worker: "hb", jobs: [{ id: c.id, queue: "short" }, { id: d.id, queue: "long" }], leaseMs: 60_000 })).toEqual({ extended: 2, cancelRequested: [], leaseLost: [] });
    expect(calls).toBe(1);
  });

  it("an id held in two queues reads as the one enqueued last", async () => {
    await writeJob("qc", "twice", { enqueuedAt: T0 + 5, status: "finished" });
    await writeJob("qd", "twice", { enqueuedAt: T0 + 9 });
    expect((await getJobWith(env, "twice"))?.queue).toBe("qd");
  });
});
