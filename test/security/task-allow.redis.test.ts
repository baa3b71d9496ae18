/**
 * hooks `tasks.allow`: only listed modules, paths and globs (plus what the hooks file itself
 * declares) resolve; a forged job naming any other module is refused before that module's
 * top-level code runs. A module's default export is never a task unless its exact path is listed.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkTasksSetting, isTaskAllowed, taskRefusal } from "../../src/tasks/task-allow.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { type Watched, stoppedAfterEach } from "../helpers/spawn.js";
import { readJob, securityWorker } from "./helpers.js";

let t: TestRedis;
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const procs = stoppedAfterEach();

beforeAll(async () => {
  t = await testRedis("sec-allow");
});
afterAll(async () => {
  await t.cleanup();
});

async function forge(method: string, rec: string): Promise<string> {
  const id = randomUUID();
  const now = Date.now();
  await t.redis
    .multi()
    .hset(t.keys.job(id, t.keys.jobTag("default")), { method, queue: "default", kwargs: JSON.stringify({ rec }), timeout: "30", createdAt: String(now), enqueuedAt: String(now), status: "queued" })
    .rpush(t.keys.queue("default"), id)
    .rpush(t.keys.wake("default"), "1")
    .sadd(t.keys.queues(), "default")
    .exec();
  return id;
}

describe("tasks.allow rules", () => {
  it("modules, exact paths, one-segment and any-depth globs; default exports only by exact path", () => {
    const allow = ["my_app.tasks", "my_app.mail.send_*", "my_app.jobs.*", "other.**", "my_app.legacy.default"];
    expect(isTaskAllowed("my_app.tasks.daily", allow)).toBe(true);
    expect(isTaskAllowed("my_app.tasks.sub.x", allow)).toBe(false);
    expect(isTaskAllowed("my_app.mail.send_invoice", allow)).toBe(true);
    expect(isTaskAllowed("my_app.mail.purge", allow)).toBe(false);
    expect(isTaskAllowed("my_app.jobs.sync.run", allow)).toBe(true);
    expect(isTaskAllowed("my_app.jobs.a.b.run", allow)).toBe(false);
    expect(isTaskAllowed("other.deep.down.fn", allow)).toBe(true);
    expect(isTaskAllowed("my_app.tasks.default", allow)).toBe(false);
    expect(isTaskAllowed("my_app.legacy.default", allow)).toBe(true);
    expect(taskRefusal("my_app.x.default", undefined)?.code).toBe("TASK_DEFAULT_EXPORT");
    expect(taskRefusal("my_app.x.run", undefined)).toBeUndefined();
    expect(taskRefusal("my_app.x.run", ["my_app.tasks"])?.message).toBe('task path "my_app.x.run" is not in hooks tasks.allow');
  });

  it("validates the hooks setting", () => {
    expect(checkTasksSetting({ allow: ["a.b", "a.*"] })).toBeUndefined();
    expect(checkTasksSetting({ allow: "a.b" })).toMatch(/allow must be a list/);
    expect(checkTasksSetting({ allow: ["a/b"] })).toMatch(/allow\[0\] "a\/b" is not a module/);
    expect(checkTasksSetting({ deny: [] })).toMatch(/unknown key "deny"/);
  });
});

describe("a worker with tasks.allow", () => {
  it("runs allowed and hooks-declared paths; refuses the rest without loading their modules", async () => {
    const rec = `${t.keys.root}:rec`;
    const ok = await forge("app.tasks.record", rec);
    const failing = await forge("app.tasks.fails", rec);
    const refused = { notListed: await forge("app.tasks.not_allowed", rec), otherModule: await forge("app.other.run", rec), defaultExport: await forge("app.tasks.default", rec) };
    const w = securityWorker(t, { SECURITY_ALLOW: "app.tasks.record,app.tasks.fails", SECURITY_REC: rec }, "default");
    procs.push(w);
    await waitFor(async () => (await t.redis.zcard(t.keys.failed("default"))) === 4 && (await t.redis.zcard(t.keys.finished("default"))) === 1, 30_000);
    // The hooks file's job_failure_handlers entry is allowed without being listed.
    await waitFor(async () => (await t.redis.hget(`${rec}:hooks-handler`, failing)) === "1", 10_000);

    expect(Object.keys(await t.redis.hgetall(rec)).sort()).toEqual([ok, failing].sort());
    for (const id of [refused.notListed, refused.otherModule]) {
      const j = await readJob(t, id);
      expect(j.error?.message).toMatch(/is not in hooks tasks\.allow/);
    }
    expect((await readJob(t, refused.defaultExport)).error?.message).toMatch(/a module's default export is not a task/);
    expect(await t.redis.hget(rec, "other-module-loaded")).toBeNull();
    expect(await t.redis.hgetall(`${rec}:default-export`)).toEqual({});
    expect((await w.stop()).code).toBe(0);
  });

  it("without tasks.allow, a default export is still not a task", async () => {
    const rec = `${t.keys.root}:rec2`;
    const id = await forge("app.tasks.default", rec);
    const w = securityWorker(t, {}, "default");
    procs.push(w);
    await waitFor(async () => (await readJob(t, id)).status === "failed", 30_000);
    expect((await readJob(t, id)).error?.message).toMatch(/default export is not a task/);
    expect(await t.redis.hgetall(`${rec}:default-export`)).toEqual({});
    expect((await w.stop()).code).toBe(0);
  });
});
