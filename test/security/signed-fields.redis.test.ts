/**
 * Signing covers every field that decides what runs, where and how (SIGNED_FIELDS): a signed
 * job whose onFailure, timeout, retry, queue, dependsOn, allowFailure or createdAt was changed
 * in Redis is refused before anything of it runs (its failure handlers included), and with
 * signing.maxAge a job past its signed expiry (a replay) is refused too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { afterEach } from "vitest";
import type { QueueEnv } from "../../src/queue/context.js";
import type { Job } from "../../src/queue/types.js";
import { SIGNED_FIELDS, signatureProblem, signedFieldsOfHash, signJob } from "../../src/security/signing.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { type Watched } from "../helpers/spawn.js";
import { readJob, SECURITY_QUEUES, securityWorker } from "./helpers.js";

const SECRET = "security-test-secret-0123456789";
let t: TestRedis;
let w: Watched | undefined;

beforeAll(async () => {
  t = await testRedis("sec-signed");
});
// A failing test leaves no worker behind.
afterEach(async () => {
  await w?.kill9();
});
afterAll(async () => {
  await t.cleanup();
});

const env = (extra: Partial<QueueEnv> = {}): QueueEnv => ({
  redis: t.redis,
  keys: t.keys,
  clock: () => Date.now(),
  queues: SECURITY_QUEUES,
  retention: { finished: 600, failed: 600 },
  signing: { secret: SECRET },
  ...extra,
});

describe("signing: the canonical encoding", () => {
  it("changes with every signed field, and tells an absent field from an empty one", () => {
    const base = { id: "1", method: "app.tasks.record", queue: "default", kwargs: "{}", timeout: "30", createdAt: "5", nonce: "ab" };
    const sig = signJob(SECRET, base);
    for (const name of SIGNED_FIELDS) {
      const changed = { ...base, [name]: `${(base as Record<string, string>)[name] ?? ""}x` };
      expect(signJob(SECRET, changed), name).not.toBe(sig);
    }
    expect(signJob(SECRET, { ...base, onFailure: "" })).not.toBe(sig);
    expect(signedFieldsOfHash("1", { ...base, status: "queued", attempt: "3" })).toEqual(base);
  });

  it("refuses an expired job with the moment it expired", () => {
    const f = { id: "1", method: "m.x", kwargs: "{}", expiresAt: "1000" };
    const sig = signJob(SECRET, f);
    expect(signatureProblem(SECRET, f, sig, 999)).toBeUndefined();
    expect(signatureProblem(SECRET, f, sig, 1001)).toMatch(/^job signature expired at 1970-01-01T00:00:01\.000Z \(signing\.maxAge\)/);
  });
});

describe("signing: a worker refuses tampered signed jobs", () => {
  it("runs the untouched job, refuses each tampered one, and never calls an attacker's handler", async () => {
    const rec = `${t.keys.root}:rec`;
    const onDefault = t.keys.jobTag("default");
    const enq = async (method: string, extra: Record<string, unknown> = {}, e = env()) => ((await enqueueWith(e, method, { rec, ...extra })) as Job).id;
    const good = await enq("app.tasks.record");
    const tampered = new Map<string, string>();
    const hset = async (label: string, id: string, field: string, value: string) => {
      await t.redis.hset(t.keys.job(id, onDefault), field, value);
      tampered.set(label, id);
    };
    await hset("onFailure", await enq("app.tasks.fails"), "onFailure", "app.tasks.attacker_handler");
    await hset("timeout", await enq("app.tasks.fails"), "timeout", "3000");
    await hset("retry", await enq("app.tasks.fails", { retry: 1 }), "retry", JSON.stringify({ max: 50, backoff: "fixed", delay: 0, jitter: 0 }));
    await hset("dependsOn", await enq("app.tasks.record"), "dependsOn", JSON.stringify(["x"]));
    await hset("allowFailure", await enq("app.tasks.record"), "allowFailure", "1");
    await hset("createdAt", await enq("app.tasks.record"), "createdAt", String(Date.now() + 60_000));
    await hset("method", await enq("app.tasks.record"), "method", "app.tasks.fails");
    // Moved to another queue (served by the same worker here, so it is taken and checked).
    const moved = await enq("app.tasks.record");
    // On the per-queue layout the hash goes to the other queue's tag too, where its worker reads it.
    const movedHash = { ...(await t.redis.hgetall(t.keys.job(moved, onDefault))), queue: "other" };
    await t.redis.multi().del(t.keys.job(moved, onDefault)).lrem(t.keys.queue("default"), 0, moved).exec();
    await t.redis.multi().hset(t.keys.job(moved, t.keys.jobTag("other")), movedHash).rpush(t.keys.queue("other"), moved).exec();
    await t.redis.sadd(t.keys.queues(), "other");
    tampered.set("queue", moved);
    // maxAge: the expiry is signed; removing it, or running past it (a replay), is refused.
    const withExpiry = env({ signing: { secret: SECRET, maxAge: 3600 } });
    const stripped = await enq("app.tasks.record", {}, withExpiry);
    await t.redis.hdel(t.keys.job(stripped, onDefault), "expiresAt");
    tampered.set("expiresAt removed", stripped);
    const longAgo = Date.now() - 7200_000;
    tampered.set("expired", await enq("app.tasks.record", {}, env({ signing: { secret: SECRET, maxAge: 60 }, clock: () => longAgo })));
    const fresh = await enq("app.tasks.record", {}, withExpiry);

    w = securityWorker(t, { SCHEDULER_SIGNING_SECRET: SECRET });
    const failedCount = async () => (await t.redis.zcard(t.keys.failed("default"))) + (await t.redis.zcard(t.keys.failed("other")));
    await waitFor(async () => (await failedCount()) === tampered.size && (await t.redis.zcard(t.keys.finished("default"))) === 2, 30_000);

    for (const [label, id] of tampered) {
      const j = await readJob(t, id);
      expect(j.status, label).toBe("failed");
      expect(j.error?.name, label).toBe("JobRejectedError");
      expect(j.error?.message, label).toMatch(label === "expired" ? /rejected: job signature expired at / : /rejected: job signature does not match its signed fields/);
      expect(j.attempt, label).toBe(1);
    }
    expect(Object.keys(await t.redis.hgetall(rec)).sort()).toEqual([good, fresh].sort());
    expect(await t.redis.hgetall(`${rec}:attacker`)).toEqual({});
    expect(await t.redis.hgetall(`${rec}:hooks-handler`)).toEqual({});
    expect((await w.stop()).code).toBe(0);
  });
});
