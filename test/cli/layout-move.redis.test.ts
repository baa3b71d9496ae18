/**
 * `scheduler layout` and `scheduler layout queue` (src/ops/layout-move.ts, layout_move.lua): an
 * installation on the installation layout moves to the per-queue layout only once drained and
 * stopped; refused otherwise with what holds it, writing nothing; after the move its workers
 * run new jobs on the queues' tags and what it kept on {prefix} still reads.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeys } from "../../src/redis/keys.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { completeJob, dequeue } from "../../src/queue/lifecycle.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../../src/config/defaults.js";
import type { QueueEnv } from "../../src/queue/context.js";
import type { Job } from "../../src/queue/types.js";
import { scanMasters } from "../../src/ops/masters.js";
import { runCli } from "../helpers/spawn.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

const HOOKS = fileURLToPath(new URL("../redis/fixtures/layout-none/hooks.ts", import.meta.url));
let t: TestRedis;
const used: string[] = [];
beforeAll(async () => {
  t = await testRedis("layout-move");
});
afterAll(async () => {
  for (const prefix of used) for (const key of await scanMasters(t.redis, createKeys(prefix).pattern)) await t.redis.del(key);
  await t.cleanup();
});

let n = 0;
/** A prefix holding an installation of before the per-queue layout (its keys on {prefix}, no marker). */
function oldInstallation(): { prefix: string; env: QueueEnv } {
  const prefix = `${t.prefix}-${++n}`;
  used.push(prefix);
  return { prefix, env: { redis: t.redis, keys: createKeys(prefix, { jobTags: "installation" }), clock: () => Date.now(), queues: { ...BUILTIN_QUEUES }, retention: { ...DEFAULT_RETENTION } } };
}
const cli = (prefix: string, ...args: string[]) => runCli([...args, "--hooks", HOOKS, "--redis", t.url, "--prefix", prefix], { env: { LAYOUT_TEST_REDIS_URL: t.url } });
const snapshot = async (prefix: string) => {
  const keys = (await scanMasters(t.redis, createKeys(prefix).pattern)).sort();
  return Promise.all(keys.map(async (k) => [k, await t.redis.dump(k)]));
};

describe("scheduler layout", () => {
  it("names the layout, and refuses a layout it cannot move to (exit 2)", async () => {
    const { prefix, env } = oldInstallation();
    await enqueueWith(env, "app.tasks.mark", { record: "r" });
    const shown = await cli(prefix, "layout");
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`prefix "${prefix}": the "installation" layout (every key on {${prefix}}`);
    expect(shown.stdout).toContain("scheduler layout queue");
    const back = await cli(prefix, "layout", "installation");
    expect(back.code).toBe(2);
    expect(back.stderr).toContain('layout: "installation" is not a layout to move to');
  }, 60_000);

  it("refuses while jobs are in flight or a worker lives, with the counts, and writes nothing", async () => {
    const { prefix, env } = oldInstallation();
    const a = (await enqueueWith(env, "app.tasks.mark", { record: "r" })) as Job;
    await enqueueWith(env, "app.tasks.mark", { queue: "long", record: "r", delay: "1h" });
    const taken = await dequeue(env, { queues: ["default"], worker: "w", leaseMs: 60_000 });
    expect(taken?.id).toBe(a.id);
    await enqueueWith(env, "app.tasks.mark", { record: "r" });
    await t.redis.sadd(env.keys.workers(), "w-live");
    await t.redis.set(env.keys.worker("w-live"), "{}", "PX", 60_000);
    const before = await snapshot(prefix);
    const r = await cli(prefix, "layout", "queue", "--json");
    expect(r.code).toBe(1);
    const err = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error;
    expect(err.code).toBe("LAYOUT_NOT_DRAINED");
    expect(err.message).toBe(`prefix "${prefix}" cannot move to the per-queue layout yet: default: 1 queued, 1 started; long: 1 scheduled; 1 live worker`);
    expect(await snapshot(prefix)).toEqual(before);
  }, 60_000);

  it("moves a drained, stopped installation; its workers then run new jobs on the queues' tags", async () => {
    const { prefix, env } = oldInstallation();
    const old = (await enqueueWith(env, "app.tasks.mark", { record: "r" })) as Job;
    const taken = await dequeue(env, { queues: ["default"], worker: "w", leaseMs: 60_000 });
    expect(await completeJob(env, { job: taken!, worker: "w", result: 1 })).toBe("finished");
    // a worker that stopped long ago: listed, its record gone
    await t.redis.sadd(env.keys.workers(), "w-gone");
    const moved = await cli(prefix, "layout", "queue");
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toContain(`prefix "${prefix}" moved to the "queue" layout`);
    expect(await t.redis.get(env.keys.layout())).toBe("queue");
    expect(await t.redis.exists(env.keys.finished("default"))).toBe(0);
    expect(await t.redis.pttl(env.keys.job(old.id))).toBeGreaterThan(0); // expires as before
    const again = await cli(prefix, "layout", "queue", "--json");
    expect(JSON.parse(again.stdout)).toEqual({ prefix, layout: "queue", changed: false });

    const record = `{${prefix}}:test:runs`;
    const enq = await cli(prefix, "enqueue", "app.tasks.mark", "--kwargs", JSON.stringify({ record, tag: "after" }), "--json");
    expect(enq.code, enq.stderr).toBe(0);
    const id = (JSON.parse(enq.stdout) as { id: string }).id;
    const q = createKeys(prefix, { jobTags: "queue" });
    expect(await t.redis.hget(q.job(id, q.jobTag("default")), "status")).toBe("queued");
    const run = await runCli(["worker", "--burst", "--hooks", HOOKS, "--redis", t.url, "--prefix", prefix], { env: { LAYOUT_TEST_REDIS_URL: t.url }, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(await t.redis.lrange(record, 0, -1)).toEqual(["after"]);
    expect(await t.redis.hget(q.job(id, q.jobTag("default")), "status")).toBe("finished");
  }, 120_000);
});
