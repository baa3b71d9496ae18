/**
 * CompletionBatch: the completions a child makes in one turn of the event loop go to Redis as
 * one complete_many.lua call (counted at the client), each caller getting its own outcome and,
 * when it asked, its own next job.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { QueueEnv } from "../../src/queue/context.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { dequeue } from "../../src/queue/lifecycle.js";
import { normalizeOptions } from "../../src/queue/options.js";
import { buildPrepared } from "../../src/queue/prepare.js";
import { getJobWith } from "../../src/queue/registry.js";
import type { Job } from "../../src/queue/types.js";
import { loadScript, preloadScripts } from "../../src/redis/scripts.js";
import { CompletionBatch } from "../../src/worker/child/completion-batch.js";
import { TEST_REDIS_URL } from "../helpers/redis.js";
import { queueFixture, type QueueFixture } from "../queue/helpers.js";

let f: QueueFixture;
let counted: Redis;
let env: QueueEnv;
let scripts: string[] = [];

beforeAll(async () => {
  f = await queueFixture("completion-batch", { "app.tasks.a": () => null });
  await preloadScripts(f.env.redis, ["complete", "complete_many"]);
  // with the scripts that apply a follow-up's forward record on another tag (the per-queue layout)
  const names = new Map(["complete", "complete_many", "follow_up_enqueue", "forward_drop"].map((n) => [loadScript(n).sha, n]));
  counted = new Redis(TEST_REDIS_URL);
  const original = counted.sendCommand.bind(counted);
  counted.sendCommand = ((cmd: { name: string; args: unknown[] }) => {
    if (cmd.name === "evalsha") scripts.push(names.get(String(cmd.args[0])) ?? "other");
    return original(cmd as never);
  }) as typeof counted.sendCommand;
  env = { ...f.env, redis: counted };
});
beforeEach(async () => {
  scripts = [];
  for (const q of ["short", "default"]) await f.env.redis.del(f.env.keys.queue(q), f.env.keys.wake(q));
});
afterAll(async () => {
  counted.disconnect();
  await f.t.cleanup();
});

const take = { worker: "w1", leaseMs: 60_000, queues: ["default"] };

async function started(ids: string[]): Promise<Job[]> {
  for (const id of ids) await enqueueWith(f.env, "app.tasks.a", { queue: "default", jobId: id });
  const jobs: Job[] = [];
  for (const _ of ids) jobs.push((await dequeue(f.env, take))!);
  return jobs;
}

describe("CompletionBatch", () => {
  it("sends the completions of one turn as one script call; next jobs go to the slots that asked", async () => {
    const [a, b, c] = await started(["b-a", "b-b", "b-c"]);
    await enqueueWith(f.env, "app.tasks.a", { queue: "default", jobId: "b-next" });
    const batch = new CompletionBatch(env);
    const results = await Promise.all([
      batch.complete({ job: a!, worker: "w1", result: 1 }, undefined),
      batch.complete({ job: b!, worker: "w1", result: 2 }, take),
      batch.complete({ job: c!, worker: "w1", result: 3 }, take),
    ]);
    expect(scripts).toEqual(["complete_many"]);
    expect(results.map((r) => r.outcome)).toEqual(["finished", "finished", "finished"]);
    // one job was left for two slots that asked: the first of them gets it
    expect(results.map((r) => r.next?.id ?? null)).toEqual([null, "b-next", null]);
    for (const [id, result] of [["b-a", 1], ["b-b", 2], ["b-c", 3]] as const) expect(await getJobWith(f.env, id)).toMatchObject({ status: "finished", result });
    await new CompletionBatch(env).complete({ job: results[1]!.next!, worker: "w1", result: null }, undefined);
  });

  it("splits at maxBatch, sends a lone completion through complete.lua, and a completion with follow-ups alone", async () => {
    const jobs = await started(["s-1", "s-2", "s-3", "s-4"]);
    const batch = new CompletionBatch(env, 2);
    const three = await Promise.all(jobs.slice(0, 3).map((job) => batch.complete({ job, worker: "w1", result: null }, undefined)));
    expect(three.map((r) => r.outcome)).toEqual(["finished", "finished", "finished"]);
    expect(scripts).toEqual(["complete_many", "complete"]);

    scripts = [];
    const { prepared } = buildPrepared(f.env, "app.tasks.a", normalizeOptions({ queue: "short", jobId: "s-follow" }));
    const r = await batch.complete({ job: jobs[3]!, worker: "w1", result: null, followUps: [prepared] }, undefined);
    expect(r).toEqual({ outcome: "finished", next: null });
    // the follow-up's queue on another tag (the per-queue layout): complete.lua leaves it as a
    // forward record, applied on that tag once, then dropped (src/queue/forward-records.ts)
    const applied = f.env.keys.jobTag("short") === f.env.keys.jobTag("default") ? [] : ["follow_up_enqueue", "forward_drop"];
    expect(scripts).toEqual(["complete", ...applied]);
    expect((await getJobWith(f.env, "s-follow"))?.status).toBe("queued");
  });

  it("a lost lease is that caller's answer only", async () => {
    const [mine, theirs] = await started(["l-mine", "l-theirs"]);
    await f.env.redis.hset(f.env.keys.job("l-theirs", f.env.keys.jobTag("default")), "worker", "w2");
    const batch = new CompletionBatch(env);
    const [r1, r2] = await Promise.all([
      batch.complete({ job: mine!, worker: "w1", result: null }, undefined),
      batch.complete({ job: theirs!, worker: "w1", result: null }, undefined),
    ]);
    expect([r1.outcome, r2.outcome]).toEqual(["finished", "lease-lost"]);
  });

  it("a Redis error rejects every completion of that call, and the jobs stay started for the reaper", async () => {
    const jobs = await started(["x-1", "x-2"]);
    const down = new Redis("redis://127.0.0.1:1/0", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    down.on("error", () => {}); // the refused connection is the point
    try {
      const batch = new CompletionBatch({ ...f.env, redis: down });
      const settled = await Promise.allSettled(jobs.map((job) => batch.complete({ job, worker: "w1", result: null }, undefined)));
      expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected"]);
    } finally {
      down.disconnect();
    }
    for (const id of ["x-1", "x-2"]) expect((await getJobWith(f.env, id))?.status).toBe("started");
  });
});
