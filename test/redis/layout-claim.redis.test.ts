/**
 * The key layout of a new installation (src/redis/key-layout.ts, layout_claim.lua): the first
 * process that writes jobs on a prefix that holds nothing yet sets the marker, to the per-queue
 * layout unless its hooks name one (`key_layout`, claimed; adoptKeyLayout otherwise); an
 * installation from before the marker keeps its layout; a reader writes nothing; and a process
 * whose hooks name the other layout than the installation's refuses to start, with one line and
 * nothing written.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adoptKeyLayout, claimKeyLayout } from "../../src/redis/key-layout.js";
import { createKeys } from "../../src/redis/keys.js";
import { runCli } from "../helpers/spawn.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { validateHooks } from "../../src/hooks/validate.js";
import { configure, maybeActiveContext, setActiveContext } from "../../src/queue/context.js";
import { enqueue } from "../../src/queue/enqueue.js";
import type { Job } from "../../src/queue/types.js";

const HOOKS = fileURLToPath(new URL("./fixtures/layout-queue/hooks.ts", import.meta.url));
const HOOKS_NAMING_NONE = fileURLToPath(new URL("./fixtures/layout-none/hooks.ts", import.meta.url));
let t: TestRedis;
const used: string[] = [];
beforeAll(async () => {
  t = await testRedis("layout-claim");
});
afterAll(async () => {
  // the sub-prefixes below are outside t's pattern: their keys are deleted here, tag by tag
  for (const prefix of used) {
    for (const tag of [`{${prefix}}`, `{${prefix}:default}`]) {
      const keys = await t.redis.keys(`${tag}:*`);
      if (keys.length > 0) await t.redis.del(...keys);
    }
  }
  await t.cleanup();
});

let n = 0;
const fresh = () => {
  const prefix = `${t.prefix}-${++n}`;
  used.push(prefix);
  return prefix;
};

describe("claiming the key layout", () => {
  it("an empty prefix takes the layout asked for; the marker then holds against the other", async () => {
    const prefix = fresh();
    expect(await claimKeyLayout(t.redis, prefix, "queue")).toBe("queue");
    expect(await t.redis.get(createKeys(prefix).layout())).toBe("queue");
    expect(await claimKeyLayout(t.redis, prefix, "queue")).toBe("queue");
    await expect(claimKeyLayout(t.redis, prefix, "installation")).rejects.toMatchObject({
      code: "KEY_LAYOUT_MISMATCH",
      message: `hooks key_layout is "installation", but prefix "${prefix}" holds an installation on the "queue" layout (Redis key {${prefix}}:layout)`,
    });
    expect(await t.redis.get(createKeys(prefix).layout())).toBe("queue");
  });

  it("an installation from before the marker is refused the per-queue layout, unmarked; asked for its own, it is marked", async () => {
    const prefix = fresh();
    const k = createKeys(prefix);
    await t.redis.sadd(k.queues(), "default");
    await expect(claimKeyLayout(t.redis, prefix, "queue")).rejects.toMatchObject({ code: "KEY_LAYOUT_MISMATCH", message: expect.stringContaining(`its job keys on {${prefix}} (no {${prefix}}:layout marker`) });
    expect(await t.redis.exists(k.layout())).toBe(0);
    expect(await claimKeyLayout(t.redis, prefix, "installation")).toBe("installation");
    expect(await t.redis.get(k.layout())).toBe("installation");
  });

  it("a marker naming no layout is refused as when read", async () => {
    const prefix = fresh();
    await t.redis.set(createKeys(prefix).layout(), "sideways");
    await expect(claimKeyLayout(t.redis, prefix, "queue")).rejects.toMatchObject({ code: "BAD_KEY_LAYOUT" });
  });

  it("hooks key_layout takes only the two layouts, named in the error", () => {
    const problems = validateHooks({ key_layout: "sharded" }, "hooks.ts", { unknownKeys: "all" });
    expect(problems.map((p) => p.message).join("\n")).toContain('must be "queue" (each queue on a hash tag of its own');
    expect(validateHooks({ key_layout: "queue" }, "hooks.ts", { unknownKeys: "all" })).toEqual([]);
  });
});

describe("a new installation whose hooks name no layout", () => {
  const args = (prefix: string, ...more: string[]) => ["--hooks", HOOKS_NAMING_NONE, "--redis", t.url, "--prefix", prefix, ...more];
  const env: Record<string, string> = {};
  beforeAll(() => void (env.LAYOUT_TEST_REDIS_URL = t.url));

  it("adopts the per-queue layout on an empty prefix, and an unmarked installation's own layout without marking it", async () => {
    const prefix = fresh();
    expect(await adoptKeyLayout(t.redis, prefix)).toBe("queue");
    expect(await t.redis.get(createKeys(prefix).layout())).toBe("queue");
    // an installation of before the marker: its keys stay where they are, unmarked
    const old = fresh();
    await t.redis.sadd(createKeys(old).queues(), "default");
    expect(await adoptKeyLayout(t.redis, old)).toBe("installation");
    expect(await t.redis.exists(createKeys(old).layout())).toBe(0);
    // a marker is followed whatever it names
    const marked = fresh();
    await t.redis.set(createKeys(marked).layout(), "installation");
    expect(await adoptKeyLayout(t.redis, marked)).toBe("installation");
  });

  it("a CLI enqueue that comes first sets it; a reader on an empty prefix writes nothing", async () => {
    const prefix = fresh();
    for (const command of [["status"], ["jobs"], ["list"]]) {
      const r = await runCli([...command, ...args(prefix)], { env });
      expect(r.code, `${command.join(" ")}: ${r.stderr}`).toBe(0);
    }
    expect(await t.redis.keys(`{${prefix}*`)).toEqual([]);
    // a refused enqueue (a task that does not resolve) writes nothing, not even the marker
    const refused = await runCli(["enqueue", "app.tasks.nothing_here", ...args(prefix)], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("app.tasks.nothing_here does not resolve");
    expect(await t.redis.keys(`{${prefix}*`)).toEqual([]);
    const enq = await runCli(["enqueue", "app.tasks.mark", "--kwargs", JSON.stringify({ record: "r", tag: "x" }), ...args(prefix, "--json")], { env });
    expect(enq.code, enq.stderr).toBe(0);
    expect(await t.redis.get(createKeys(prefix).layout())).toBe("queue");
    const keys = createKeys(prefix, { jobTags: "queue" });
    expect(await t.redis.hget(keys.job((JSON.parse(enq.stdout) as { id: string }).id, keys.jobTag("default")), "status")).toBe("queued");
  }, 60_000);

  it("configure() without keyLayout: the first enqueue adopts it; on an old installation its keys stay on {prefix}", async () => {
    const before = maybeActiveContext();
    try {
      const prefix = fresh();
      configure({ redis: t.url, prefix });
      const job = (await enqueue("app.tasks.mark", { record: "r" })) as Job;
      expect(await t.redis.get(createKeys(prefix).layout())).toBe("queue");
      const keys = createKeys(prefix, { jobTags: "queue" });
      expect(await t.redis.exists(keys.job(job.id, keys.jobTag("default")))).toBe(1);
      maybeActiveContext()?.redis.disconnect();

      const old = fresh();
      await t.redis.sadd(createKeys(old).queues(), "default");
      configure({ redis: t.url, prefix: old });
      const oldJob = (await enqueue("app.tasks.mark", { record: "r" })) as Job;
      expect(await t.redis.exists(createKeys(old).job(oldJob.id))).toBe(1);
      expect(await t.redis.exists(createKeys(old).layout())).toBe(0);
    } finally {
      maybeActiveContext()?.redis.disconnect();
      setActiveContext(before);
    }
  });
});

describe("a worker whose hooks say key_layout: \"queue\"", () => {
  const args = (prefix: string, ...more: string[]) => ["--hooks", HOOKS, "--redis", t.url, "--prefix", prefix, ...more];
  const env: Record<string, string> = {};
  beforeAll(() => void (env.LAYOUT_TEST_REDIS_URL = t.url));

  it("claims a new prefix; what the CLI enqueues then runs with its keys on the queue's tag", async () => {
    const prefix = fresh();
    const first = await runCli(["worker", ...args(prefix, "--burst")], { env, timeoutMs: 60_000 });
    expect(first.code, first.stderr).toBe(0);
    expect(await t.redis.get(createKeys(prefix).layout())).toBe("queue");

    const record = `{${prefix}}:test:runs`;
    const enq = await runCli(["enqueue", "app.tasks.mark", "--kwargs", JSON.stringify({ record, tag: "one" }), ...args(prefix, "--json")], { env });
    expect(enq.code, enq.stderr).toBe(0);
    const id = (JSON.parse(enq.stdout) as { id: string }).id;
    const keys = createKeys(prefix, { jobTags: "queue" });
    expect(await t.redis.hget(keys.job(id, keys.jobTag("default")), "status")).toBe("queued");
    const run = await runCli(["worker", ...args(prefix, "--burst")], { env, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(await t.redis.lrange(record, 0, -1)).toEqual(["one"]);
    expect(await t.redis.hget(keys.job(id, keys.jobTag("default")), "status")).toBe("finished");

    // the CLI, with these hooks, claims a new prefix too: an enqueue that comes first
    const other = fresh();
    const early = await runCli(["enqueue", "app.tasks.mark", "--kwargs", JSON.stringify({ record, tag: "two" }), ...args(other, "--json")], { env });
    expect(early.code, early.stderr).toBe(0);
    expect(await t.redis.get(createKeys(other).layout())).toBe("queue");
    const otherKeys = createKeys(other, { jobTags: "queue" });
    expect(await t.redis.exists(otherKeys.job((JSON.parse(early.stdout) as { id: string }).id, otherKeys.jobTag("default")))).toBe(1);
  }, 120_000);

  it("refuses an installation on the other layout with one line, and writes nothing", async () => {
    const prefix = fresh();
    const k = createKeys(prefix);
    await t.redis.sadd(k.queues(), "default");
    for (const command of ["worker", "start"]) {
      const r = await runCli([command, ...args(prefix, ...(command === "worker" ? ["--burst"] : ["--no-http"]))], { env, timeoutMs: 60_000 });
      expect(r.code, `${command}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(`hooks key_layout is "queue", but prefix "${prefix}" holds an installation on the "installation" layout`);
    }
    expect((await t.redis.keys(`{${prefix}}:*`)).sort()).toEqual([k.queues()]);
  }, 120_000);
});

describe("configure({ keyLayout }) in an app's own process", () => {
  it("claims as the hooks would: a new prefix takes it, another layout fails the call and writes nothing", async () => {
    const before = maybeActiveContext();
    const prefix = fresh();
    const app = configure({ redis: t.url, prefix, keyLayout: "queue" });
    try {
      const job = (await enqueue("app.tasks.mark", { record: "r", tag: "x" })) as Job;
      expect(await t.redis.get(createKeys(prefix).layout())).toBe("queue");
      const keys = createKeys(prefix, { jobTags: "queue" });
      expect(await t.redis.exists(keys.job(job.id, keys.jobTag("default")))).toBe(1);
      app.redis.disconnect();

      const other = configure({ redis: t.url, prefix, keyLayout: "installation" });
      const keysBefore = (await t.redis.keys(`{${prefix}}*`)).length + (await t.redis.keys(`{${prefix}:*`)).length;
      await expect(enqueue("app.tasks.mark", {})).rejects.toMatchObject({ code: "KEY_LAYOUT_MISMATCH" });
      expect((await t.redis.keys(`{${prefix}}*`)).length + (await t.redis.keys(`{${prefix}:*`)).length).toBe(keysBefore);
      other.redis.disconnect();

      expect(() => configure({ redis: t.url, prefix, keyLayout: "sharded" as "queue" })).toThrow(/configure: keyLayout "sharded" is not "queue" or "installation"/);
    } finally {
      maybeActiveContext()?.redis.disconnect();
      setActiveContext(before);
    }
  });
});
