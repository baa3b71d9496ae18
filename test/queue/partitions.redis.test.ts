/**
 * A queue spread over partitions (issue 17, hooks `queues.<name>.partitions`; src/config/
 * partition-names.ts, src/queue/partitions.ts): on the per-queue layout each partition is a queue
 * of its own on its own tag (on the cluster: the three partitions on three masters). New jobs
 * spread round robin, by a partitionKey's value, or by a chosen id; a scheduled task's job stays
 * on partition 0; a dequeue serves the partitions in turn; the queue's readers and operations
 * cover every partition; real workers run every job of every partition once. Runs on one Redis
 * and again on the cluster ("on-cluster" project).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeys, type Keys } from "../../src/redis/keys.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { enqueueManyWith } from "../../src/queue/enqueue-many.js";
import { enqueueScheduled } from "../../src/queue/enqueue-scheduled.js";
import { dequeue } from "../../src/queue/lifecycle.js";
import { getQueue } from "../../src/queue/queue.js";
import { configure, setActiveContext, type QueueEnv } from "../../src/queue/context.js";
import { checkQueue } from "../../src/config/validate.js";
import { partitionName, servedPartitions } from "../../src/config/partition-names.js";
import { claimKeyLayout } from "../../src/redis/key-layout.js";
import { searchJobs } from "../../src/ops/job-search.js";
import { purgeJobs } from "../../src/ops/purge.js";
import { EnqueueError } from "../../src/base/errors.js";
import type { Job } from "../../src/queue/types.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { masterOf } from "../helpers/distinct-masters.js";
import { ON_TOPOLOGY } from "../helpers/redis.js";
import { exitOf, stoppedAfterEach } from "../helpers/spawn.js";
import { fixture, spawnWorker } from "../worker/helpers.js";
import { queueFixture, type QueueFixture } from "./helpers.js";

const METHOD = "app.tasks.noop";
let f: QueueFixture;
let keys: Keys;
let env: QueueEnv;
/** A queue whose three partitions' tags are on three masters on the cluster. */
let HOT: string;
const P = (i: number) => partitionName(HOT, i);

async function spreadQueueName(k: Keys): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const name = `hot${i}`;
    const masters = new Set(await Promise.all([0, 1, 2].map((p) => masterOf(f.env.redis, k.queue(partitionName(name, p))))));
    if (!ON_TOPOLOGY || masters.size === 3) return name;
  }
  throw new Error("no queue name with its partitions on three masters");
}

beforeAll(async () => {
  f = await queueFixture("partitions", { [METHOD]: () => "ok" });
  keys = createKeys(f.t.prefix, { jobTags: "queue" });
  HOT = await spreadQueueName(keys);
  env = { ...f.env, keys, queues: { ...f.env.queues, [HOT]: { timeout: 60, workers: 1, concurrency: 1, partitions: 3 } } };
  setActiveContext(env);
});
afterAll(() => f.t.cleanup());

const put = async (o: Record<string, unknown> = {}) => (await enqueueWith(env, METHOD, { queue: HOT, ...o })) as Job;
const queued = (q: string) => env.redis.lrange(keys.queue(q), 0, -1);
const emptyAll = () => getQueue(HOT, env).empty();

describe("settings", () => {
  it("takes 1 to 64 partitions, and refuses them with a rateLimit, in one line naming the key", () => {
    const check = (v: unknown) => checkQueue("hot", v, () => "");
    expect(check({ partitions: 4 })).toEqual([]);
    for (const bad of [0, 65, 2.5, "3"]) {
      expect(check({ partitions: bad })).toEqual([["partitions", `${JSON.stringify(bad)} is not a whole number from 1 to 64; write partitions: 3 to spread the queue over 3 hash tags`]]);
    }
    expect(check({ partitions: 2, rateLimit: { max: 5, per: 1 } })[0]).toEqual(["partitions", "cannot be combined with rateLimit: the limit is counted on one tag; drop partitions, or rateLimit"]);
    expect(check({ partitions: 1, rateLimit: { max: 5, per: 1 } })).toEqual([]);
    expect(() => configure({ redis: f.t.url, prefix: f.t.prefix, queues: { hot: { partitions: 0 } } })).toThrow(
      "configure: queues.hot.partitions 0 is not a whole number from 1 to 64",
    );
    setActiveContext(env);
  });
});

describe("enqueue", () => {
  it("spreads jobs round robin, each job's keys on its partition's tag, every partition listed", async () => {
    const jobs = await Promise.all(Array.from({ length: 9 }, () => put()));
    const per = new Map<string, number>();
    for (const j of jobs) per.set(j.queue, (per.get(j.queue) ?? 0) + 1);
    expect([...per.entries()].sort()).toEqual([[P(0), 3], [P(1), 3], [P(2), 3]].sort());
    for (const j of jobs) {
      expect(await queued(j.queue)).toContain(j.id);
      expect((await env.redis.hgetall(keys.job(j.id, keys.jobTag(j.queue)))).queue).toBe(j.queue);
    }
    expect(await env.redis.smembers(keys.queues())).toEqual(expect.arrayContaining([P(0), P(1), P(2)]));
    // enqueueMany spreads the same way, one script per partition's tag
    const many = (await enqueueManyWith(env, Array.from({ length: 6 }, () => ({ method: METHOD, options: { queue: HOT } })))) as Job[];
    expect(new Set(many.map((j) => j.queue))).toEqual(new Set([P(0), P(1), P(2)]));
    await emptyAll();
  });

  it("keeps one partitionKey's jobs in one partition, in order, and refuses a key with no value", async () => {
    const a: Job[] = [];
    for (let i = 0; i < 8; i++) a.push(await put({ customer: { id: "c-42" }, partitionKey: "customer.id", n: i }));
    expect(new Set(a.map((j) => j.queue)).size).toBe(1);
    const list = await queued(a[0]!.queue);
    expect(list.filter((id) => a.some((j) => j.id === id))).toEqual(a.map((j) => j.id));
    // the key is an option, not a kwarg; other keys spread over the partitions
    expect((await env.redis.hget(keys.job(a[0]!.id, keys.jobTag(a[0]!.queue)), "kwargs")) ?? "").not.toContain("partitionKey");
    const spread = new Set<string>();
    for (let i = 0; i < 30; i++) spread.add((await put({ customer_id: `k${i}`, partition_key: "customer_id" })).queue);
    expect(spread.size).toBe(3);
    const before = await f.t.keyCount();
    const err = await put({ partitionKey: "customer.id" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnqueueError);
    expect((err as EnqueueError).message).toBe('enqueue: partitionKey "customer.id" names no value in kwargs');
    expect(await f.t.keyCount()).toBe(before);
    await emptyAll();
  });

  it("puts a chosen id in the partition of its hash, so deduplicate stays one check on one tag", async () => {
    const first = await put({ jobId: "report-7", deduplicate: true });
    for (let i = 0; i < 5; i++) {
      const again = (await put({ jobId: "report-7", deduplicate: true })) as Job & { deduplicated?: boolean };
      expect(again).toMatchObject({ id: "report-7", queue: first.queue, deduplicated: true });
    }
    const taken = await put({ jobId: "report-7" }).catch((e: unknown) => (e as EnqueueError).code);
    expect(taken).toBe("JOB_ID_TAKEN");
    await emptyAll();
  });

  it("enqueues a scheduled task's jobs on partition 0, where the task's slot record is", async () => {
    for (let i = 0; i < 4; i++) {
      const r = await enqueueScheduled(env, { task: "cron:* * * * *|app.tasks.noop", slot: 60_000 * (i + 1), method: METHOD, queue: HOT, kwargs: {}, catchup: false, overlap: "allow" });
      expect(r.outcome).toBe("enqueued");
      if (r.outcome === "enqueued") expect(r.job.queue).toBe(HOT);
    }
    expect(await env.redis.hget(keys.lastSlots(keys.jobTag(HOT)), "cron:* * * * *|app.tasks.noop")).toBe(String(4 * 60_000));
    await emptyAll();
  });
});

describe("the queue's readers and operations", () => {
  it("dequeue serves the partitions in turn: a full partition does not keep another waiting", async () => {
    const crowd: Job[] = [];
    for (let i = 0; i < 20; i++) crowd.push(await put({ k: "same", partitionKey: "k" }));
    const crowded = crowd[0]!.queue;
    const other = [0, 1, 2].map(P).find((q) => q !== crowded)!;
    // one job in another partition, by a key value that hashes there
    let lone: Job | undefined;
    for (let i = 0; !lone && i < 100; i++) {
      const j = await put({ k: `x${i}`, partitionKey: "k" });
      if (j.queue === other) lone = j;
      else await env.redis.lrem(keys.queue(j.queue), 0, j.id);
    }
    const order = [...servedPartitions(env.queues, [HOT])];
    const taken: string[] = [];
    for (let i = 0; i < 3; i++) taken.push((await dequeue(env, { queues: order, worker: "w-turns", leaseMs: 30_000 }))!.id);
    expect(taken).toContain(lone!.id);
  });

  it("getQueue, scheduler jobs and purge cover every partition", async () => {
    await emptyAll();
    const jobs = await Promise.all(Array.from({ length: 6 }, () => put()));
    const q = getQueue(HOT, env);
    expect(await q.length()).toBe(6);
    expect(new Set((await q.jobs()).map((j) => j.id))).toEqual(new Set(jobs.map((j) => j.id)));
    expect((await q.jobs({ start: 1, end: 2 })).length).toBe(2);
    const found = await searchJobs(env, { queue: HOT, status: "queued", limit: 50 });
    expect(new Set(found.map((j) => j.id))).toEqual(new Set(jobs.map((j) => j.id)));
    const purged = await purgeJobs(env, { queue: HOT, status: "queued" });
    expect(purged).toEqual({ [P(0)]: 2, [P(1)]: 2, [P(2)]: 2 });
    expect(await q.length()).toBe(0);
  });

  it("serves a partition above a lowered count while Redis still lists it", () => {
    const lowered = { [HOT]: { timeout: 60, workers: 1, concurrency: 1, partitions: 2 } };
    expect(servedPartitions(lowered, [HOT, "default"], [P(2), "default", P(1), "other"])).toEqual([P(0), P(1), P(2), "default"]);
  });
});

describe("scheduler worker on a partitioned queue", () => {
  let t: TestRedis;
  const workers = stoppedAfterEach();
  beforeAll(async () => {
    t = await testRedis("partitions-worker");
  });
  afterAll(() => t.cleanup());

  it("runs every job of every partition exactly once", async () => {
    // the fixture's hooks claim the per-queue layout: claimed here first, as its daemon would
    expect(await claimKeyLayout(t.redis, t.prefix, "queue")).toBe("queue");
    const k = createKeys(t.prefix, { jobTags: "queue" });
    const wenv: QueueEnv = { ...f.env, tasks: undefined, redis: t.redis, keys: k, queues: { ...f.env.queues, hot: { timeout: 30, workers: 1, concurrency: 4, partitions: 3 } } };
    const record = `${k.queueTag("hot")}:test:runs`;
    const jobs = (await enqueueManyWith(wenv, Array.from({ length: 150 }, () => ({ method: "app.tasks.mark", options: { queue: "hot", record } })))) as Job[];
    expect(new Set(jobs.map((j) => j.queue))).toEqual(new Set(["hot", "hot~1", "hot~2"]));
    const w = spawnWorker(t, fixture("partitioned"), ["--queue", "hot", "--burst"]);
    workers.push(w);
    expect((await exitOf(w, 40_000)).code).toBe(0);
    const runs = await t.redis.lrange(record, 0, -1);
    expect(runs).toHaveLength(150);
    expect(new Set(runs)).toEqual(new Set(jobs.map((j) => j.id)));
    for (const q of ["hot", "hot~1", "hot~2"]) {
      expect(await t.redis.llen(k.queue(q))).toBe(0);
      expect(await t.redis.zcard(k.started(q))).toBe(0);
      expect(await t.redis.zcard(k.finished(q))).toBe(50);
    }
  }, 60_000);
});
