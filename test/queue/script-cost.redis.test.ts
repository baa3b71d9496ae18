/**
 * The cheap paths of the job scripts (bench/lua-cost.mjs measures them): the space-separated
 * header, the lease check done by complete.lua's ZREM, the dependents walk guarded by the
 * hasDependents flag, and the attempts/children keys touched only when they exist or overflow.
 */
import { METRICS_ON } from "../../src/telemetry/metrics-switch.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setActiveContext } from "../../src/queue/context.js";
import { enqueue } from "../../src/queue/enqueue.js";
import { ATTEMPTS_KEPT, CASCADE_BOUND, CHILDREN_KEPT, scriptHeader } from "../../src/queue/job-scripts.js";
import { completeJob, dequeue, failJob } from "../../src/queue/lifecycle.js";
import { runScript } from "../../src/redis/scripts.js";
import { EVENTS_MAXLEN } from "../../src/log/events.js";
import { queueFixture, type QueueFixture } from "./helpers.js";

let f: QueueFixture;
beforeEach(async () => {
  f = await queueFixture("script-cost", { "my_app.tasks.step": () => 1 });
});
afterEach(async () => {
  setActiveContext(undefined);
  await f.t.cleanup();
});

const put = (extra: Record<string, unknown> = {}) => enqueue("my_app.tasks.step", { queue: "default", ...extra });
const take = (worker = "w") => dequeue(f.env, { queues: ["default"], worker, leaseMs: 30_000 });

describe("script header", () => {
  it("is the key root keys.ts uses plus the caps and the history switch, space-separated", () => {
    expect(scriptHeader(f.env.keys, 1234)).toBe(`${f.env.keys.root}: ${EVENTS_MAXLEN} ${ATTEMPTS_KEPT} ${CHILDREN_KEPT} ${CASCADE_BOUND} 1234 ${METRICS_ON ? 1 : 0}`);
    expect(f.env.keys.job("x")).toBe(`${f.env.keys.root}:job:x`);
  });

  it("a malformed header is refused with a message naming ARGV[1], before anything is written", async () => {
    const job = await put();
    const run = runScript(f.env.redis, "dequeue", [f.env.keys.queues(), f.env.keys.events()], ['{"p":{}}', f.clock(), "w", 30_000, "default"]);
    await expect(run).rejects.toThrow(/ARGV\[1\].*scriptHeader/);
    expect(await f.env.redis.lrange(f.env.keys.queue("default"), 0, -1)).toEqual([job.id]);
  });
});

describe("complete.lua", () => {
  // the keys of a job of queue "default" (its job tag: the installation's or the queue's)
  const D = () => f.env.keys.jobTag("default");
  it("answers lease-lost without writing when the job left the started registry", async () => {
    await put();
    const job = (await take())!;
    await f.env.redis.zrem(f.env.keys.started("default"), job.id);
    expect(await completeJob(f.env, { job, worker: "w", result: 1 })).toBe("lease-lost");
    expect(await f.env.redis.hget(f.env.keys.job(job.id, D()), "status")).toBe("started");
    expect(await f.env.redis.exists(f.env.keys.attempts(job.id, D()))).toBe(0);
  });

  it("answers lease-lost for another worker's job, and the owner still completes it", async () => {
    await put();
    const job = (await take("owner"))!;
    expect(await completeJob(f.env, { job, worker: "intruder", result: 1 })).toBe("lease-lost");
    expect(await completeJob(f.env, { job, worker: "owner", result: 1 })).toBe("finished");
    expect(await f.env.redis.hmget(f.env.keys.job(job.id, D()), "status", "result")).toEqual(["finished", "1"]);
  });

  it("flags a job others depend on, and only then walks its dependents", async () => {
    const a = await put();
    const b = await put({ dependsOn: [a.id] });
    const c = await put();
    expect(await f.env.redis.hget(f.env.keys.job(a.id, D()), "hasDependents")).toBe("1");
    expect(await f.env.redis.hget(f.env.keys.job(c.id, D()), "hasDependents")).toBeNull();
    const ja = (await take())!;
    expect(ja.id).toBe(a.id);
    expect(await completeJob(f.env, { job: ja, worker: "w", result: 1 })).toBe("finished");
    // b moved on in a's completion: queued behind c
    expect(await f.env.redis.hget(f.env.keys.job(b.id, D()), "status")).toBe("queued");
    expect(await f.env.redis.lrange(f.env.keys.queue("default"), 0, -1)).toEqual([c.id, b.id]);
    expect(await f.env.redis.exists(f.env.keys.dependents(a.id, D()))).toBe(0);
  });

  it("keeps at most ATTEMPTS_KEPT attempt records, newest last, with the retention TTL", async () => {
    const job0 = await put({ retry: { max: ATTEMPTS_KEPT + 2, backoff: "fixed", delay: 0, jitter: 0 } });
    for (let i = 0; i < ATTEMPTS_KEPT + 2; i++) {
      const job = (await take())!;
      expect(job.attempt).toBe(i + 1);
      expect(await failJob(f.env, { job, worker: "w", error: new Error(`e${i}`) })).toBe("retry-scheduled");
    }
    const job = (await take())!;
    expect(job.id).toBe(job0.id);
    expect(await completeJob(f.env, { job, worker: "w", result: 1 })).toBe("finished");
    const recs = (await f.env.redis.lrange(f.env.keys.attempts(job.id, D()), 0, -1)).map((r) => JSON.parse(r) as { attempt: number; outcome: string });
    expect(recs).toHaveLength(ATTEMPTS_KEPT);
    expect(recs.at(-1)).toMatchObject({ attempt: ATTEMPTS_KEPT + 3, outcome: "finished" });
    expect(recs[0]!.attempt).toBe(4);
    expect(await f.env.redis.pttl(f.env.keys.attempts(job.id, D()))).toBeGreaterThan(590_000);
    expect(await f.env.redis.exists(f.env.keys.children(job.id, D()))).toBe(0);
  });
});
