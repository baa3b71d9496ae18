/** purgeJobs/countPurgeable against real Redis: filters, batches, and what is never touched. */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { countPurgeable, PURGE_BATCH, purgeJobs } from "../../src/ops/purge.js";
import { getJobWith, getQueueStatsWith } from "../../src/queue/registry.js";
import { readEvents } from "../../src/log/read-events.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import type { Job } from "../../src/queue/types.js";
import { seeder, type Seeder } from "./fixture.js";

let s: Seeder;
const all: Seeder[] = [];

beforeEach(async () => {
  s = await seeder("ops-purge");
  all.push(s);
});
afterAll(async () => {
  for (const x of all) await x.t.cleanup();
});

describe("purgeJobs", () => {
  it("deletes queued jobs by default (Frappe's purge-jobs), leaving every other status alone", async () => {
    const started = await s.started("app.tasks.a");
    const failed = await s.failed("app.tasks.a");
    const finished = await s.finished("app.tasks.a");
    const scheduled = await s.scheduled("app.tasks.a");
    const q1 = await s.queued("app.tasks.a");
    const q2 = await s.queued("app.tasks.b", { queue: "short" });

    expect(await countPurgeable(s.env, {})).toEqual({ default: 1, long: 0, short: 1 });
    expect(await purgeJobs(s.env, {})).toEqual({ default: 1, short: 1 });

    expect(await getJobWith(s.env, q1.id)).toBeNull();
    expect(await getJobWith(s.env, q2.id)).toBeNull();
    expect(await s.t.redis.exists(s.t.keys.attempts(q1.id, s.t.keys.jobTag("default")), s.t.keys.wake("default"), s.t.keys.queue("default"))).toBe(0);
    for (const j of [started, failed, finished, scheduled]) expect(await getJobWith(s.env, j.id)).not.toBeNull();
    const stats = await getQueueStatsWith(s.env);
    expect(stats.default).toMatchObject({ pending: 0, started: 1, failed: 1, finished: 1, scheduled: 1 });
  });

  it("--task keeps other tasks' jobs and their order in the queue", async () => {
    const keep1 = await s.queued("app.tasks.keep");
    await s.queued("app.tasks.drop");
    const keep2 = await s.queued("app.tasks.keep");
    await s.queued("app.tasks.drop");

    expect(await countPurgeable(s.env, { queue: "default", task: "app.tasks.drop" })).toEqual({ default: 2 });
    expect(await purgeJobs(s.env, { queue: "default", task: "app.tasks.drop" })).toEqual({ default: 2 });
    expect(await s.t.redis.lrange(s.t.keys.queue("default"), 0, -1)).toEqual([keep1.id, keep2.id]);
    // one wake marker per waiting job remains, so idle workers still wake for the kept ones
    expect(await s.t.redis.llen(s.t.keys.wake("default"))).toBe(2);
  });

  it("purges another status when asked, only in the named queue", async () => {
    const f1 = await s.failed("app.tasks.a");
    const f2 = await s.failed("app.tasks.a", { queue: "short" });
    expect(await purgeJobs(s.env, { status: "failed", queue: "default" })).toEqual({ default: 1 });
    expect(await getJobWith(s.env, f1.id)).toBeNull();
    expect(await getJobWith(s.env, f2.id)).not.toBeNull();
    expect(await s.t.redis.zcard(s.t.keys.failed("default"))).toBe(0);
  });

  it(`works through more than one batch (${PURGE_BATCH} ids per script call) and records one event per batch`, async () => {
    const n = PURGE_BATCH * 2 + 37;
    const pipe = [];
    for (let i = 0; i < n; i++) pipe.push(s.queued(i % 2 ? "app.tasks.odd" : "app.tasks.even", { queue: "long" }));
    await Promise.all(pipe);
    expect(await countPurgeable(s.env, { queue: "long", task: "app.tasks.odd" })).toEqual({ long: Math.floor(n / 2) });
    expect(await purgeJobs(s.env, { queue: "long", task: "app.tasks.odd" })).toEqual({ long: Math.floor(n / 2) });
    expect(await s.t.redis.llen(s.t.keys.queue("long"))).toBe(Math.ceil(n / 2));
    expect(await purgeJobs(s.env, { queue: "long" })).toEqual({ long: Math.ceil(n / 2) });
    expect(await s.t.redis.llen(s.t.keys.queue("long"))).toBe(0);
    const purged = (await readEvents(s.t.redis, s.t.keys, { count: 10_000 })).filter((e) => e.type === "queue.purged");
    expect(purged.length).toBeGreaterThanOrEqual(2);
    expect(purged.every((e) => e.queue === "long" && e.level === "warn")).toBe(true);
  });

  it("a job depending on a purged one is canceled with the reason; purging a deferred job unlinks it", async () => {
    const parent = await s.queued("app.tasks.parent", { queue: "short" });
    const child = (await enqueueWith(s.env, "app.tasks.child", { queue: "short", dependsOn: parent.id })) as Job;
    const other = await s.queued("app.tasks.parent2", { queue: "long" });
    const waiting = (await enqueueWith(s.env, "app.tasks.child2", { queue: "long", dependsOn: other.id })) as Job;
    expect(child.status).toBe("deferred");

    expect(await purgeJobs(s.env, { queue: "short", task: "app.tasks.parent" })).toEqual({ short: 1 });
    expect(await getJobWith(s.env, child.id)).toMatchObject({ status: "canceled", cancelReason: `dependency ${parent.id} was deleted` });

    expect(await purgeJobs(s.env, { queue: "long", status: "deferred" })).toEqual({ long: 1 });
    expect(await getJobWith(s.env, waiting.id)).toBeNull();
    expect(await s.t.redis.exists(s.t.keys.dependents(other.id), s.t.keys.deferred("long"))).toBe(0);
    expect((await getJobWith(s.env, other.id))?.status).toBe("queued");
  });

  it("skips an id whose job moved on after it was listed (the script re-checks status)", async () => {
    const job = await s.queued("app.tasks.a");
    // simulate a worker taking it between the read and the script: status is now started
    await s.t.redis.hset(s.t.keys.job(job.id, s.t.keys.jobTag("default")), "status", "started");
    expect(await purgeJobs(s.env, { queue: "default" })).toEqual({});
    expect(await getJobWith(s.env, job.id)).not.toBeNull();
  });
});
