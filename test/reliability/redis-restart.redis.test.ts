/**
 * Redis goes away under a running daemon: a redis-server of the test's own (AOF, appendfsync
 * always) is killed with -9 mid-load and started again on the same data. The daemon must
 * reconnect without a restart, finish every job, and catch up the missed every-second slots per
 * policy ("latest": one run) without firing any slot twice. Then: a daemon started while Redis
 * is down waits with a clear message and runs jobs once Redis comes up.
 */
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/redis.js";
import { createKeys } from "../../src/redis/keys.js";
import { account, expectAccounted, report } from "./helpers/accounting.js";
import { enqueueN, relEnv } from "./helpers/env.js";
import { APP_HOOKS, CRON_HOOKS, spawnScheduler } from "./helpers/procs.js";
import { type Watched, stoppedAfterEach } from "../helpers/spawn.js";
import { redisServer, type RedisServer } from "./helpers/redis-server.js";

/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const procs = stoppedAfterEach();
const servers: RedisServer[] = [];
const clients: Redis[] = [];

afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.kill9()));
  clients.splice(0).forEach((c) => c.disconnect());
  for (const s of servers.splice(0)) await s.stop();
});

function client(url: string): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
  r.on("error", () => {});
  clients.push(r);
  return r;
}

describe("Redis outages", () => {
  it("kill -9 of Redis under load: the daemon reconnects, every job finishes, slots catch up once", async () => {
    const server = await redisServer({ aof: true });
    servers.push(server);
    await server.start();
    const redis = client(server.url);
    const keys = createKeys("rel-restart");
    const rec = `${keys.root}:rec:work`;
    const cronRec = `${keys.root}:rec:cron`;
    const ids = await enqueueN(relEnv(redis, keys), 60, "app.tasks.work", { rec, ms: 100 });
    const d = spawnScheduler("start", CRON_HOOKS, server.url, keys.prefix, ["--queue", "default"], { env: { RELIABILITY_REC: cronRec } });
    procs.push(d);
    await waitFor(async () => (await redis.hlen(rec)) >= 10 && (await redis.hlen(cronRec)) >= 2, 30_000);

    await server.kill("SIGKILL");
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 2500)); // an outage spanning two or more slots
    await server.start();
    const upAt = Date.now();
    const cronBefore = Number((await redis.hlen(cronRec)) ?? 0);
    await waitFor(async () => (await redis.hlen(cronRec)) > cronBefore + 1, 30_000).catch(() => {
      throw new Error(`no slot fired after the restart:\n${d.output().slice(-3000)}`);
    });
    const recoveryMs = Date.now() - upAt;
    await waitFor(async () => (await redis.hlen(rec)) === ids.length, 30_000);
    expect(d.alive()).toBe(true);

    // Every second's slot ran at most once; the outage's missed slots collapsed into one run.
    const slots = Object.entries(await redis.hgetall(`${cronRec}:slots`)).map(([slot, n]) => [Number(slot), Number(n)] as const);
    expect(slots.filter(([, n]) => n !== 1)).toEqual([]);
    const fired = slots.map(([slot]) => slot).sort((x, y) => x - y);
    const widestGap = Math.max(...fired.slice(1).map((s, i) => s - fired[i]!));
    expect(widestGap).toBeGreaterThanOrEqual(2000);
    const cronIds = Object.keys(await redis.hgetall(cronRec));
    await d.stop();
    const a = await account({ redis, keys, queues: ["default"], ids: [...ids, ...cronIds], rec: [rec, cronRec] });
    report("Redis kill -9 + restart under load (AOF always)", a, recoveryMs);
    // At most the jobs running at the kill (concurrency 2) may run twice.
    expectAccounted(a, 2);
    expect(Date.now() - downAt).toBeLessThan(60_000);
  });

  it("unreachable at start: a clear message, the daemon waits, then runs jobs once Redis is up", async () => {
    const server = await redisServer();
    servers.push(server);
    const keys = createKeys("rel-late");
    const d = spawnScheduler("start", APP_HOOKS, server.url, keys.prefix, ["--queue", "default"]);
    procs.push(d);
    await d.waitForOutput(`cannot reach Redis at ${server.url}`, 15_000);
    expect(d.output()).toContain("retrying");
    expect(d.alive()).toBe(true);

    await server.start();
    const upAt = Date.now();
    const redis = client(server.url);
    const rec = `${keys.root}:rec`;
    const ids = await enqueueN(relEnv(redis, keys), 10, "app.tasks.work", { rec });
    await waitFor(async () => (await redis.hlen(rec)) === ids.length, 30_000).catch(() => {
      throw new Error(`jobs did not run:\n${d.output().slice(-3000)}`);
    });
    const recoveryMs = Date.now() - upAt;
    expect(d.output()).toMatch(/answers again after \d+ failed attempt/);
    // Stopped first: a task records its run just before its completion reaches Redis.
    expect((await d.stop()).code).toBe(0);
    const a = await account({ redis, keys, queues: ["default"], ids, rec });
    report("Redis unreachable at start, then up", a, recoveryMs);
    expectAccounted(a);
  });
});
