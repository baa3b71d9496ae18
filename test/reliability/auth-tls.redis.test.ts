/**
 * Redis AUTH and TLS URLs against a redis-server of the test's own (a free port) that requires a
 * password and has an ACL user: a worker given the ACL user's URL runs jobs; a wrong password
 * is one clear line that names the cause and never prints the password; a rediss:// URL is
 * accepted and passed to ioredis, and against this plain server fails with a TLS hint.
 */
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/redis.js";
import { runCli, type Watched } from "../helpers/spawn.js";
import { createKeys } from "../../src/redis/keys.js";
import { checkRedisUrl } from "../../src/redis/settings-checks.js";
import { account, expectAccounted, report } from "./helpers/accounting.js";
import { enqueueN, relEnv } from "./helpers/env.js";
import { APP_HOOKS, spawnScheduler } from "./helpers/procs.js";
import { redisServer, type RedisServer } from "./helpers/redis-server.js";

let PORT: number;
let server: RedisServer;
let admin: Redis;
let w: Watched | undefined;

beforeAll(async () => {
  server = await redisServer({ args: ["--requirepass", "admin-pw"], password: "admin-pw" });
  PORT = server.port;
  await server.start();
  admin = new Redis({ port: PORT, password: "admin-pw" });
  await admin.call("ACL", "SETUSER", "sched", "on", ">sched-pw", "~*", "&*", "+@all");
});
// A failing test leaves no worker behind.
afterEach(async () => {
  await w?.kill9();
});
afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

describe("Redis AUTH and TLS URLs", () => {
  it("a worker with an ACL user's URL runs jobs", async () => {
    const url = `redis://sched:sched-pw@127.0.0.1:${PORT}`;
    const keys = createKeys("rel-auth");
    const rec = `${keys.root}:rec`;
    const ids = await enqueueN(relEnv(admin, keys), 5, "app.tasks.work", { rec });
    w = spawnScheduler("worker", APP_HOOKS, url, keys.prefix, ["--queue", "default", "--burst"]);
    expect((await w.exited).code).toBe(0);
    expect(w.output()).not.toContain("sched-pw");
    const a = await account({ redis: admin, keys, queues: ["default"], ids, rec });
    report("Redis AUTH (ACL user)", a, undefined);
    expectAccounted(a);
    // The default user's password in the URL works too.
    const r = await runCli(["status", "--redis", `redis://:admin-pw@127.0.0.1:${PORT}`, "--prefix", keys.prefix, "--json"]);
    expect(r.code).toBe(0);
  });

  it("a wrong password: one line naming WRONGPASS, the password redacted, exit 1", async () => {
    const r = await runCli(["status", "--redis", `redis://sched:not-the-pw@127.0.0.1:${PORT}`, "--prefix", "x"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`cannot reach Redis at redis://sched:***@127.0.0.1:${PORT}: WRONGPASS`);
    expect(r.stderr).toContain("check the user and password");
    expect(r.stderr).not.toContain("not-the-pw");
  });

  it("rediss:// is accepted and passed through; against a plain server the error says TLS", async () => {
    expect(checkRedisUrl(`rediss://sched:pw@127.0.0.1:${PORT}/0`)).toBeUndefined();
    const startedAt = Date.now();
    const r = await runCli(["status", "--redis", `rediss://127.0.0.1:${PORT}`, "--prefix", "x"], { timeoutMs: 25_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`cannot reach Redis at rediss://127.0.0.1:${PORT}`);
    expect(r.stderr).toContain("is the server at that port TLS-enabled");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(Date.now() - startedAt).toBeLessThan(20_000);
  });
});
