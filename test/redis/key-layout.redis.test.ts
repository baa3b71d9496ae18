/**
 * The installation's key layout marker (src/redis/key-layout.ts): every process reads it when it
 * connects, so a CLI and a daemon spawned on one prefix agree on where the job keys are.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readKeyLayout, keysOf } from "../../src/redis/key-layout.js";
import { createKeys } from "../../src/redis/keys.js";
import { runCli } from "../helpers/spawn.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("key-layout");
});
afterAll(() => t.cleanup());

describe("the key layout marker", () => {
  it("no marker: the installation layout; a marker names the layout the keys are built in", async () => {
    const prefix = `${t.prefix}-a`;
    const marker = createKeys(prefix).layout();
    expect(marker).toBe(`{${prefix}}:layout`);
    expect(await readKeyLayout(t.redis, prefix)).toBe("installation");
    await t.redis.set(marker, "queue");
    try {
      const keys = await keysOf(t.redis, prefix);
      expect(keys.jobTags).toBe("queue");
      expect(keys.job("x", keys.jobTag("default"))).toBe(`{${prefix}:default}:job:x`);
    } finally {
      await t.redis.del(marker);
    }
  });

  it("a marker naming no layout is refused with one line naming the key and what to do", async () => {
    const prefix = `${t.prefix}-b`;
    const marker = createKeys(prefix).layout();
    await t.redis.set(marker, "sideways");
    try {
      await expect(readKeyLayout(t.redis, prefix)).rejects.toMatchObject({ code: "BAD_KEY_LAYOUT", message: `Redis key ${marker} is "sideways", not one of installation, queue` });
      const r = await runCli(["status", "--redis", t.url, "--prefix", prefix]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n")[0]).toContain(`Redis key ${marker} is "sideways"`);
    } finally {
      await t.redis.del(marker);
    }
  });

  it("the CLI reads the marker: `jobs` finds a job enqueued on the queue layout", async () => {
    const prefix = `${t.prefix}-c`;
    const marker = createKeys(prefix).layout();
    await t.redis.set(marker, "queue");
    try {
      const enq = await runCli(["enqueue", "example_app.tasks.heartbeat", "--hooks", "hooks.example.ts", "--redis", t.url, "--prefix", prefix, "--json"]);
      expect(enq.code, enq.stderr).toBe(0);
      const id = JSON.parse(enq.stdout).id as string;
      const keys = createKeys(prefix, { jobTags: "queue" });
      expect(await t.redis.exists(keys.job(id, keys.jobTag("default")))).toBe(1);
      const shown = await runCli(["jobs", "show", id, "--hooks", "hooks.example.ts", "--redis", t.url, "--prefix", prefix, "--json"]);
      expect(shown.code, shown.stderr).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({ job: { id, queue: "default" } });
    } finally {
      for (const k of await t.redis.keys(`{${prefix}*`)) await t.redis.del(k);
    }
  });
});
