import { afterAll, describe, expect, it } from "vitest";
import { activeContext, configure, setActiveContext } from "../../src/queue/context.js";
import { enqueue } from "../../src/queue/enqueue.js";
import { completeJob, dequeue } from "../../src/queue/lifecycle.js";
import { getJob, getQueueStats } from "../../src/queue/registry.js";
import { transaction } from "../../src/queue/transaction.js";
import { TEST_REDIS_URL, uniquePrefix } from "../helpers/redis.js";
import { scanMasters } from "../../src/ops/masters.js";
import { createKeys } from "../../src/redis/keys.js";
import { tinyRegistry } from "./helpers.js";

const prefix = uniquePrefix("configure");
const env = configure({
  redis: TEST_REDIS_URL,
  prefix,
  queues: { reports: { timeout: 30 } },
  retention: { finished: 5 },
  tasks: tinyRegistry({ "my_app.tasks.hello": () => "hi" }),
});

afterAll(async () => {
  // the installation's tag and each queue's (a new prefix gets the per-queue layout), on every
  // master of a cluster; one DEL per key, as the keys of one DEL must share a slot there
  for (const key of await scanMasters(env.redis, createKeys(prefix).pattern)) await env.redis.del(key);
  env.redis.disconnect();
  setActiveContext(undefined);
});

describe("configure() for app code", () => {
  it("connects lazily from a URL and becomes the active context, with merged queues and retention", async () => {
    expect(activeContext()).toBe(env);
    expect(Object.keys(env.queues).sort()).toEqual(["default", "long", "reports", "short"]);
    expect(env.queues.reports).toEqual({ timeout: 30, workers: 1, concurrency: 1 });
    expect(env.retention).toEqual({ finished: 5, failed: 7 * 86_400 });
    const job = await enqueue("my_app.tasks.hello", { queue: "reports", who: "x" });
    expect(job).toMatchObject({ status: "queued", timeout: 30, kwargs: { who: "x" } });
    const got = await dequeue(env, { queues: ["reports"], worker: "w1", leaseMs: 30_000 });
    expect(await completeJob(env, { job: got!, worker: "w1", result: { ok: 1 } })).toBe("finished");
    expect((await getJob(job.id))?.result).toEqual({ ok: 1 });
    const ttl = await env.redis.pttl(env.keys.job(job.id, env.keys.jobTag("reports")));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5000);
    expect((await getQueueStats()).reports).toMatchObject({ finished: 1, pending: 0 });
  });

  it("an empty transaction needs no Redis and returns fn's value", async () => {
    setActiveContext(undefined);
    expect(await transaction(() => 42)).toBe(42);
    setActiveContext(env);
  });
});
