/**
 * Jobs written into Redis by someone else. Task paths resolve only to functions exported by
 * modules inside the app root, so a forged method cannot name a file outside it, a package, or
 * a Node built-in. With signing configured, workers also refuse jobs whose HMAC over id, method
 * and kwargs is missing or wrong, so forged or altered kwargs do not run either.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { decodeJob } from "../../src/queue/job-codec.js";
import { allEvents, jobHash } from "../helpers/job-reads.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import type { Job } from "../../src/queue/types.js";
import { signJob } from "../../src/security/signing.js";
import { account, expectAccounted, report } from "./helpers/accounting.js";
import { relEnv } from "./helpers/env.js";
import { APP_HOOKS, spawnScheduler } from "./helpers/procs.js";
import { type Watched, stoppedAfterEach } from "../helpers/spawn.js";

const SECRET = "reliability-test-secret-0123456789";
let t: TestRedis;
const opened: TestRedis[] = [];
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const procs = stoppedAfterEach();

beforeEach(async () => {
  t = await testRedis("rel-security");
  opened.push(t);
});
afterAll(async () => {
  for (const r of opened) await r.cleanup();
});

/** Write a queued job straight into Redis, as an attacker with Redis access would. */
async function forge(method: string, kwargs: Record<string, unknown>, extra: Record<string, string> = {}): Promise<string> {
  const id = randomUUID();
  const now = Date.now();
  await t.redis
    .multi()
    .hset(t.keys.job(id, t.keys.jobTag("default")), { id, method, queue: "default", kwargs: JSON.stringify(kwargs), timeout: "30", attempt: "0", stalls: "0", retries: "0", createdAt: String(now), enqueuedAt: String(now), status: "queued", ...extra })
    .rpush(t.keys.queue("default"), id)
    .sadd(t.keys.queues(), "default")
    .exec();
  return id;
}

const job = async (id: string) => decodeJob(await jobHash(t, id), id);

describe("security", () => {
  it("a forged job naming a path outside the app's exports fails with a clear error; nothing runs", async () => {
    const rec = `${t.keys.root}:rec`;
    const forged: Record<string, string> = {
      "../../etc/x": "is a file path, not a dotted path",
      "node_modules.foo.bar": "points into node_modules",
      "child_process.exec": "no module child_process",
      "fs.writeFileSync": "no module fs",
      "app.tasks.constructor": 'does not export "constructor"',
      "app.tasks.__proto__": 'does not export "__proto__"',
      "app.helpers.exec": "no module app/helpers",
    };
    const ids = new Map<string, string>();
    for (const method of Object.keys(forged)) ids.set(method, await forge(method, { rec, command: "touch /tmp/hs-pwned" }));
    // Without signing, a forged job naming a real app task runs: confinement is to the app's exports.
    const legit = await forge("app.tasks.guarded", { rec });
    const w = spawnScheduler("worker", APP_HOOKS, t.url, t.prefix, ["--queue", "default"]);
    procs.push(w);
    await waitFor(async () => (await t.redis.zcard(t.keys.failed("default"))) === ids.size && (await t.redis.zcard(t.keys.finished("default"))) === 1, 20_000);

    for (const [method, why] of Object.entries(forged)) {
      const j = await job(ids.get(method)!);
      expect(j.status, method).toBe("failed");
      expect(j.error?.name, method).toBe("TaskResolutionError");
      expect(j.error?.message, method).toContain(why);
      expect(j.error?.message.split("\n")).toHaveLength(1);
    }
    expect(await t.redis.hgetall(`${rec}:start`)).toEqual({ [legit]: "1" });
    const a = await account({ redis: t.redis, keys: t.keys, queues: ["default"], ids: [...ids.values(), legit], rec, expect: (id) => (id === legit ? "finished" : "failed") });
    report("security: forged task paths", a, undefined);
    expectAccounted(a);
    expect((await w.stop()).code).toBe(0);
  });

  it("with signing: signed jobs run; unsigned, altered and wrongly signed ones are rejected (job.rejected)", async () => {
    const rec = `${t.keys.root}:rec`;
    const env = relEnv(t.redis, t.keys, { signing: { secret: SECRET } });
    const good = ((await enqueueWith(env, "app.tasks.guarded", { rec })) as Job).id;
    expect(await t.redis.hget(t.keys.job(good, t.keys.jobTag("default")), "sig")).toMatch(/^[0-9a-f]{64}$/);
    const altered = ((await enqueueWith(env, "app.tasks.guarded", { rec, amount: 1 })) as Job).id;
    await t.redis.hset(t.keys.job(altered, t.keys.jobTag("default")), "kwargs", JSON.stringify({ rec, amount: 1_000_000 }));
    const unsigned = await forge("app.tasks.guarded", { rec });
    const id = randomUUID();
    const wrongSig = signJob("another-secret-of-enough-length", { id, method: "app.tasks.guarded", kwargs: JSON.stringify({ rec }) });
    const wrongKey = await forge("app.tasks.guarded", { rec }, { sig: wrongSig });
    const garbage = await forge("app.tasks.guarded", { rec }, { sig: "zz" });
    const rejected = [altered, unsigned, wrongKey, garbage];

    const w = spawnScheduler("worker", APP_HOOKS, t.url, t.prefix, ["--queue", "default"], { env: { SCHEDULER_SIGNING_SECRET: SECRET } });
    procs.push(w);
    await waitFor(async () => (await t.redis.zcard(t.keys.failed("default"))) === rejected.length && (await t.redis.zcard(t.keys.finished("default"))) === 1, 20_000);

    expect(await t.redis.hgetall(`${rec}:start`)).toEqual({ [good]: "1" });
    expect((await job(unsigned)).error).toMatchObject({ name: "JobRejectedError", message: expect.stringContaining("rejected: job is not signed") });
    for (const r of [altered, wrongKey, garbage]) {
      const j = await job(r);
      expect(j.error?.message).toContain("rejected: job signature does not match its signed fields");
      expect(j.attempt).toBe(1);
    }
    const events = await allEvents<{ type: string; jobId?: string }>(t);
    expect(events.filter((e) => e.type === "job.rejected").map((e) => e.jobId).sort()).toEqual([...rejected].sort());
    const a = await account({ redis: t.redis, keys: t.keys, queues: ["default"], ids: [good, ...rejected], rec, expect: (i) => (i === good ? "finished" : "failed") });
    report("security: signing (unsigned, altered, wrong key)", a, undefined);
    expectAccounted(a);
    expect((await w.stop()).code).toBe(0);
  });

  it("a bad signing secret is a one-line config error naming where it came from", async () => {
    const w = spawnScheduler("worker", APP_HOOKS, t.url, t.prefix, ["--queue", "default"], { env: { SCHEDULER_SIGNING_SECRET: "short" } });
    procs.push(w);
    const exit = await w.exited;
    expect(exit.code).not.toBe(0);
    expect(w.output()).toContain("SCHEDULER_SIGNING_SECRET: secret must be a string of at least 16 characters, got 5 characters");
    expect(w.output()).not.toMatch(/\n\s+at /);
  });
});
