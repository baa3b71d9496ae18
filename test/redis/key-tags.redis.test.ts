/**
 * The two kinds of hash tag (src/redis/keys.ts): the installation's `{p}` and one per queue,
 * `{p:<queue>}`. Runs on one Redis and again on the cluster ("on-cluster" project), where the
 * per-queue keys of different queues must be able to land on different masters, and
 * `keys.pattern` must find every key of the installation on every master, no other prefix's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ON_TOPOLOGY, testRedis, type TestRedis } from "../helpers/redis.js";
import { createKeys, slotGuardKey } from "../../src/redis/keys.js";
import { acquireLease } from "../../src/redis/lease.js";
import { masterConnections, scanMasters } from "../../src/ops/masters.js";
import { acquireRateSlot } from "../../src/worker/child/rate-limit.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("key-tags");
});
afterAll(async () => {
  await t.cleanup();
});

/** What Redis Cluster hashes: the text between the first "{" and the next "}", if not empty. */
function hashTagOf(key: string): string {
  const open = key.indexOf("{");
  const close = open < 0 ? -1 : key.indexOf("}", open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

describe("key tags", () => {
  it("puts installation keys on {prefix} and a queue's rate limiter on {prefix:queue}", () => {
    const k = createKeys("hs");
    expect(k.root).toBe("{hs}");
    expect(k.queueTag("default")).toBe("{hs:default}");
    expect(hashTagOf(k.queues())).toBe("hs");
    expect(hashTagOf(k.schedulerFence())).toBe("hs");
    expect(hashTagOf(k.rateLimit("mail"))).toBe("hs:mail");
    expect(hashTagOf(k.rateLimit("sms"))).toBe("hs:sms");
  });

  it("names one slot guard per tag, on the tag's slot, and none for a key without a tag", () => {
    const k = createKeys("hs");
    expect(slotGuardKey(k.job("x"))).toBe("{hs}:slot-guard");
    expect(slotGuardKey(k.rateLimit("mail"))).toBe("{hs:mail}:slot-guard");
    expect(hashTagOf(slotGuardKey(k.rateLimit("mail"))!)).toBe("hs:mail");
    expect(slotGuardKey("plain:key")).toBeUndefined();
    expect(slotGuardKey("{}:empty-tag")).toBeUndefined();
  });

  it("an unfenced lease is not taken for a fenced one now that a slot guard follows its key", async () => {
    // lease_acquire.lua once told a fenced call by KEYS[2]; the guard sits there now
    const lock = t.keys.lock("tags");
    expect((await acquireLease(t.redis, lock, "tok", 5_000)).granted).toBe(true);
    expect(await t.redis.exists(slotGuardKey(lock)!)).toBe(0);
    const fence = t.keys.schedulerFence();
    const grant = await acquireLease(t.redis, t.keys.schedulerLeader(), "lead", 5_000, { key: fence, now: 1 });
    expect(grant).toMatchObject({ granted: true, fence: 1 });
    expect(await t.redis.exists(slotGuardKey(lock)!)).toBe(0);
  });

  it("refuses a queue name that would end the tag early, naming it", () => {
    const k = createKeys("hs");
    expect(() => k.queueTag("a}b")).toThrow(/queue name "a}b" cannot be a key tag/);
    expect(() => k.queueTag("")).toThrow(/queue name "" cannot be a key tag/);
  });

  it("keys.pattern finds both kinds of key on every master, and no other prefix's", async () => {
    const near = createKeys(`${t.prefix}x`); // a prefix that starts with this one
    const written = [t.keys.key("probe"), `${t.keys.queueTag("q1")}:probe`, `${t.keys.queueTag("q2")}:probe`];
    const others = [near.key("probe"), `${near.queueTag("q1")}:probe`];
    for (const key of [...written, ...others]) await t.redis.set(key, "1", "PX", 60_000);
    try {
      const found = await scanMasters(t.redis, t.keys.pattern);
      expect(found.sort()).toEqual(expect.arrayContaining(written.sort()));
      for (const key of others) expect(found).not.toContain(key);
    } finally {
      for (const key of others) await t.redis.del(key); // one by one: other slots on a cluster
    }
  });

  it("rate limiters of different queues are separate keys on their queues' slots", async () => {
    const env = { redis: t.redis, keys: t.keys, queues: { mail: { rateLimit: { max: 1, per: 60 } }, sms: { rateLimit: { max: 1, per: 60 } } } };
    expect((await acquireRateSlot(env, "mail", 1_000)).ok).toBe(true);
    expect((await acquireRateSlot(env, "mail", 1_001)).ok).toBe(false);
    // sms has its own window: mail's full one does not hold it back
    expect((await acquireRateSlot(env, "sms", 1_002)).ok).toBe(true);
    expect(await t.redis.zcard(t.keys.rateLimit("mail"))).toBe(1);
    expect(await t.redis.zcard(t.keys.rateLimit("sms"))).toBe(1);
    if (!ON_TOPOLOGY) return;
    // On the cluster: the slot follows the queue's tag, not the installation's
    const node = masterConnections(t.redis)[0]!;
    const slotOf = async (key: string) => Number(await node.call("CLUSTER", "KEYSLOT", key));
    expect(await slotOf(t.keys.rateLimit("mail"))).toBe(await slotOf(`${t.keys.queueTag("mail")}:anything`));
    // three tags on one slot by chance: about 1 in 16384^2
    const slots = new Set([await slotOf(t.keys.rateLimit("mail")), await slotOf(t.keys.rateLimit("sms")), await slotOf(t.keys.queues())]);
    expect(slots.size).toBeGreaterThan(1);
  });
});
