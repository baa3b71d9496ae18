/**
 * Tasks that misbehave, run by a real worker process on the `faults` queue (timeout 2 s, child
 * heap limited to 64 MB through the queue's `maxMemoryMb`): one exhausts memory, one calls
 * process.exit, one never resolves, three throw values that are not Errors. Each must fail with
 * a clear reason, once, and the worker must go on to finish the plain jobs queued behind them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { decodeJob } from "../../src/queue/job-codec.js";
import { jobHash } from "../helpers/job-reads.js";
import { account, expectAccounted, report } from "./helpers/accounting.js";
import { enqueueN, relEnv } from "./helpers/env.js";
import { APP_HOOKS, spawnScheduler } from "./helpers/procs.js";
import { type Watched } from "../helpers/spawn.js";

let t: TestRedis;
let w: Watched | undefined;

beforeAll(async () => {
  t = await testRedis("rel-faults");
});
// A failing test leaves no worker behind.
afterEach(async () => {
  await w?.kill9();
});
afterAll(async () => {
  await t.cleanup();
});

describe("task faults", () => {
  it("out of memory, process.exit, a hang and non-Error throws each fail once with a clear reason", async () => {
    const rec = `${t.keys.root}:rec`;
    const env = relEnv(t.redis, t.keys);
    const q = { queue: "faults", rec };
    // Its own long timeout: on a loaded machine V8's last-resort GCs can take the hog past the
    // queue's 2 s, and then the hard timeout, not the heap limit, would end it.
    const [hog] = await enqueueN(env, 1, "app.tasks.hog", { ...q, timeout: 30 });
    const [exits] = await enqueueN(env, 1, "app.tasks.exits", q);
    const [hangs] = await enqueueN(env, 1, "app.tasks.hangs", q);
    const [str] = await enqueueN(env, 1, "app.tasks.throws_string", q);
    const [obj] = await enqueueN(env, 1, "app.tasks.throws_object", q);
    const [nul] = await enqueueN(env, 1, "app.tasks.throws_null", q);
    const plain = await enqueueN(env, 5, "app.tasks.work", q);
    const faulty = [hog!, exits!, hangs!, str!, obj!, nul!];
    const ids = [...faulty, ...plain];

    const startedAt = Date.now();
    w = spawnScheduler("worker", APP_HOOKS, t.url, t.prefix, ["--queue", "faults"]);
    await waitFor(async () => (await t.redis.zcard(t.keys.finished("faults"))) === plain.length && (await t.redis.zcard(t.keys.failed("faults"))) === faulty.length, 60_000).catch(() => {
      throw new Error(`not settled; worker output:\n${w!.output().slice(-4000)}`);
    });
    const settledMs = Date.now() - startedAt;
    const job = async (id: string) => decodeJob(await jobHash(t, id), id);

    // Memory: V8 stops the child at its 64 MB heap; the job is abandoned (requeued once, then
    // failed past the stall limit) instead of taking the host's memory.
    expect(w.output()).toMatch(/heap out of memory|Allocation failed/i);
    expect((await job(hog!)).error?.message).toMatch(/^abandoned: worker \S+ died at \S+: out of memory \(the V8 heap limit was reached/);
    expect(Number(await t.redis.hget(`${rec}:start`, hog!))).toBe(2);
    // process.exit inside a task: the same rule as any crash.
    expect((await job(exits!)).error?.message).toMatch(/^abandoned: worker \S+ died at \S+: exited with code 7 /);
    expect(Number(await t.redis.hget(`${rec}:start`, exits!))).toBe(2);
    // A task that never resolves: failed by the queue timeout, run once.
    const hung = await job(hangs!);
    expect(hung.error?.name).toBe("JobTimeoutError");
    expect(hung.error?.message).toMatch(/timed out after 2 s/);
    expect(Number(await t.redis.hget(`${rec}:start`, hangs!))).toBe(1);
    // Non-Error throws are recorded readably, run once each.
    expect((await job(str!)).error).toMatchObject({ name: "NonError", message: '"plain string thrown"' });
    expect((await job(obj!)).error).toMatchObject({ name: "NonError", message: '{"reason":"object thrown","code":42}' });
    expect((await job(nul!)).error).toMatchObject({ name: "NonError", message: "null" });
    for (const id of [str!, obj!, nul!]) expect(Number(await t.redis.hget(`${rec}:start`, id))).toBe(1);

    const a = await account({ redis: t.redis, keys: t.keys, queues: ["faults"], ids, rec, expect: (id) => (faulty.includes(id) ? "failed" : "finished") });
    report("task faults: OOM, process.exit, hang, non-Error throws", a, settledMs);
    expectAccounted(a, 0);
    expect(w.alive()).toBe(true);
    expect((await w.stop()).code).toBe(0);
  });
});
