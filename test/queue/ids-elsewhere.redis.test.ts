/**
 * Job ids chosen by the caller on the per-queue layout (issue 17, src/queue/ids-elsewhere.ts):
 * an id held by a job of another queue, whose keys are on another tag (on the cluster: another
 * master), is refused while that job is live, is that job with deduplicate, and replaces it once
 * it ended, as on one tag. And configure() (an app's own process) follows the installation's
 * layout marker. Runs on one Redis and again on the cluster ("on-cluster" project).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { createKeys, type Keys } from "../../src/redis/keys.js";
import { enqueue, enqueueWith } from "../../src/queue/enqueue.js";
import { enqueueManyWith } from "../../src/queue/enqueue-many.js";
import { completeJob, dequeue } from "../../src/queue/lifecycle.js";
import { getJob, getJobWith } from "../../src/queue/registry.js";
import { runJobScript } from "../../src/queue/job-scripts.js";
import { configure, maybeActiveContext, setActiveContext, type QueueEnv } from "../../src/queue/context.js";
import { EnqueueError } from "../../src/base/errors.js";
import type { Job } from "../../src/queue/types.js";
import { TEST_REDIS_URL, testRedis, type TestRedis } from "../helpers/redis.js";
import { spreadFixture, type QueueFixture, type SpreadFixture } from "./helpers.js";

const METHOD = "app.tasks.noop";
let f: QueueFixture;
let keys: Keys;
let env: QueueEnv;
/** Two queues whose tags are on two different masters on the cluster. */
let A: string, B: string;

beforeAll(async () => {
  ({ f, keys, env, queues: [A, B] } = (await spreadFixture("ids-elsewhere", { [METHOD]: () => "ok" }, 2)) as SpreadFixture & { queues: [string, string] });
});
afterAll(() => f.t.cleanup());

let n = 0;
const fresh = (name: string) => `${name}-${++n}`;
const put = async (queue: string, o: Record<string, unknown> = {}) => (await enqueueWith(env, METHOD, { queue, ...o })) as Job;
const onTag = (id: string, queue: string) => env.redis.hgetall(keys.job(id, keys.jobTag(queue)));
const refusedCode = async (p: Promise<unknown>) => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(EnqueueError);
  return (err as EnqueueError).code;
};

async function finish(id: string, queue: string): Promise<void> {
  const taken = await dequeue(env, { queues: [queue], worker: "w", leaseMs: 30_000 });
  expect(taken?.id).toBe(id);
  expect(await completeJob(env, { job: taken!, worker: "w", result: 1 })).toBe("finished");
}

describe("a chosen id held on another queue's tag", () => {
  it("is refused while that job is live, and nothing is written on either tag", async () => {
    const id = fresh("live");
    await put(A, { jobId: id });
    expect(await refusedCode(put(B, { jobId: id }))).toBe("JOB_ID_TAKEN");
    expect(await env.redis.exists(keys.job(id, keys.jobTag(B)))).toBe(0);
    expect(await env.redis.lrange(keys.queue(B), 0, -1)).not.toContain(id);
    expect((await onTag(id, A)).status).toBe("queued");
    // in a bulk: the whole call is refused before anything is written
    const other = fresh("bulk");
    await expect(enqueueManyWith(env, [
      { method: METHOD, options: { queue: B, jobId: other } },
      { method: METHOD, options: { queue: B, jobId: id } },
    ])).rejects.toThrow(/is taken by a queued job/);
    expect(await getJobWith(env, other)).toBeNull();
  });

  it("with deduplicate is that job, and no second one is written", async () => {
    const id = fresh("dedup");
    await put(A, { jobId: id, kwargs: { n: 1 } });
    const again = await put(B, { jobId: id, deduplicate: true, kwargs: { n: 2 } });
    expect(again).toMatchObject({ id, queue: A, status: "queued", deduplicated: true, kwargs: { n: 1 } });
    expect(await env.redis.exists(keys.job(id, keys.jobTag(B)))).toBe(0);
  });

  it("replaces an ended job: the old record leaves its tag (hash and registry), the new one is the job", async () => {
    const id = fresh("ended");
    await put(A, { jobId: id, atFront: true }); // the head of A, for finish()
    await finish(id, A);
    expect(await env.redis.zscore(keys.finished(A), id)).not.toBeNull();
    const again = await put(B, { jobId: id });
    expect(again.status).toBe("queued");
    expect(await env.redis.exists(keys.job(id, keys.jobTag(A)))).toBe(0);
    expect(await env.redis.zscore(keys.finished(A), id)).toBeNull();
    expect((await getJobWith(env, id))?.queue).toBe(B);
  });

  it("a generated id reads nothing elsewhere; the drop keeps a job live again on its tag", async () => {
    const a = await put(A);
    const b = await put(B);
    expect(a.id).not.toBe(b.id);
    // two enqueues racing past the read (the documented window): the drop leaves a live job be
    const id = fresh("race");
    await put(A, { jobId: id });
    expect(await runJobScript(env, "replaced_job_drop", [id], [], keys.jobTag(A))).toBe("live");
    expect((await onTag(id, A)).status).toBe("queued");
    expect(await runJobScript(env, "replaced_job_drop", [fresh("none")], [], keys.jobTag(A))).toBe("missing");
  });
});

describe("configure() in an app's own process", () => {
  let t: TestRedis;
  let before: QueueEnv | undefined;
  let app: QueueEnv | undefined;
  beforeAll(async () => {
    before = maybeActiveContext();
    t = await testRedis("ids-configure");
  });
  afterAll(async () => {
    app?.redis.disconnect();
    setActiveContext(before);
    await t.cleanup();
  });

  it("puts job keys in the layout the installation's marker names, read on the first call", async () => {
    const queueKeys = createKeys(t.prefix, { jobTags: "queue" });
    await t.redis.set(queueKeys.layout(), "queue");
    app = configure({ redis: TEST_REDIS_URL, prefix: t.prefix, queues: { [A]: env.queues[A]! } });
    expect(app.pendingLayout).toBeDefined();
    const job = (await enqueue(METHOD, { queue: A })) as Job;
    expect(app.pendingLayout).toBeUndefined();
    expect(app.keys.jobTags).toBe("queue");
    expect(await t.redis.hget(queueKeys.job(job.id, queueKeys.jobTag(A)), "queue")).toBe(A);
    if (queueKeys.jobTag(A) !== queueKeys.root) expect(await t.redis.exists(queueKeys.job(job.id, queueKeys.root))).toBe(0);
    expect((await getJob(job.id))?.id).toBe(job.id);
  });

  it("a marker naming no layout fails the call in one line and writes nothing; the next call reads it again", async () => {
    app?.redis.disconnect();
    const k = createKeys(t.prefix);
    await t.redis.set(k.layout(), "sideways");
    const count = await t.keyCount();
    app = configure({ redis: TEST_REDIS_URL, prefix: t.prefix });
    const err = await enqueue(METHOD, {}).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).toMatch(new RegExp(`Redis key ${k.layout().replace(/[{}]/g, "\\$&")} is "sideways"`));
    expect(await t.keyCount()).toBe(count);
    await t.redis.del(k.layout());
    const job = (await enqueue(METHOD, {})) as Job;
    expect(app.keys.jobTags).toBe("installation");
    expect(await t.redis.hget(k.job(job.id), "method")).toBe(METHOD);
  });

  it("a Redis that does not answer fails the call, and does not hang", async () => {
    app?.redis.disconnect();
    const dead = new Redis({ port: 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: true });
    app = configure({ redis: dead, prefix: t.prefix });
    const started = Date.now();
    await expect(enqueue(METHOD, {})).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
