/**
 * kill -9 of the scheduler leader among three daemons (`scheduler start`, an every-second
 * task): a follower takes the lease, fires again, and no slot is enqueued twice; every job the
 * ledger says was enqueued ends up finished exactly once (the dead daemon's in-flight job is
 * reaped and re-run at most once).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { readLedger } from "../../src/scheduler/ledger.js";
import { jobHash } from "../helpers/job-reads.js";
import { account, expectAccounted, report } from "./helpers/accounting.js";
import { pidAlive } from "./helpers/env.js";
import { APP_HOOKS, CRON_HOOKS, spawnScheduler } from "./helpers/procs.js";
import { type Watched, stoppedAfterEach } from "../helpers/spawn.js";

let t: TestRedis;
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const procs = stoppedAfterEach();

beforeAll(async () => {
  t = await testRedis("rel-leader");
});
afterAll(async () => {
  await t.cleanup();
});

const leaderPid = async () => {
  const token = await t.redis.get(t.keys.schedulerLeader());
  return token ? Number(token.split(":")[1]) : undefined;
};

describe("kill -9 of the scheduler leader", () => {
  it("a follower takes over; no slot fires twice; every enqueued job finishes once", async () => {
    const rec = `${t.keys.root}:rec`;
    const daemons = [0, 1, 2].map(() => spawnScheduler("start", CRON_HOOKS, t.url, t.prefix, ["--queue", "default"], { env: { RELIABILITY_REC: rec } }));
    procs.push(...daemons);
    await waitFor(async () => (await t.redis.hlen(rec)) >= 2, 30_000);
    const pid = (await leaderPid())!;
    const leader = daemons.find((d) => d.proc.pid === pid)!;
    expect(leader).toBeDefined();

    const firedBefore = await t.redis.hlen(`${rec}:slots`);
    const killedAt = Date.now();
    await leader.kill9();
    await waitFor(async () => {
      const now = await leaderPid();
      return now !== undefined && now !== pid && (await t.redis.hlen(`${rec}:slots`)) > firedBefore + 1;
    }, 30_000);
    const recoveryMs = Date.now() - killedAt;
    const next = (await leaderPid())!;
    expect(daemons.some((d) => d.proc.pid === next && d.alive())).toBe(true);
    expect(pidAlive(pid)).toBe(false);

    // Stop the survivors, then drain what they left queued with a burst worker.
    for (const d of daemons) if (d !== leader) expect((await d.stop()).code).toBe(0);
    const drain = spawnScheduler("worker", APP_HOOKS, t.url, t.prefix, ["--queue", "default", "--burst"]);
    procs.push(drain);
    expect((await drain.exited).code).toBe(0);

    // The task id as the scheduler names it, from a job it enqueued.
    const task = (await jobHash(t, Object.keys(await t.redis.hgetall(rec))[0]!)).task!;
    expect(task).toContain("app.tasks.tick");
    const ledger = await readLedger(t.redis, t.keys, task);
    const enqueued = ledger.filter((e) => e.outcome === "enqueued");
    const ids = enqueued.map((e) => e.jobId!);
    // One enqueue per slot, whoever led.
    expect(new Set(enqueued.map((e) => e.slot)).size).toBe(enqueued.length);
    expect(Object.values(await t.redis.hgetall(`${rec}:slots`)).filter((n) => n !== "1")).toEqual([]);
    const a = await account({ redis: t.redis, keys: t.keys, queues: ["default"], ids, rec });
    report("kill -9 scheduler leader (3 daemons)", a, recoveryMs);
    expectAccounted(a, 2);
    // The lease is 10 s: a follower leads within two lease periods.
    expect(recoveryMs).toBeLessThan(25_000);
  });
});
