/**
 * Real processes: three scheduler daemons on one Redis fire a per-second schedule. Every slot is
 * enqueued exactly once, with no gaps, also across a kill -9 of the leader (a follower takes
 * over within two lease periods and catches up the slots of the takeover with policy `all`);
 * a pause stops enqueueing and the ledger says why.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/base/clock.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { type QueueEnv } from "../../src/queue/context.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../../src/config/defaults.js";
import { readLedger } from "../../src/scheduler/ledger.js";
import { setSwitch } from "../../src/scheduler/switches.js";
import { spawnDaemon, startDrain, type Daemon } from "./helpers.js";

const LEASE_MS = 1000;
const TASK = "cron|* * * * * *|app.tasks.t0";
let t: TestRedis;
let daemons: Daemon[] = [];

beforeAll(async () => {
  t = await testRedis("daemons");
});
afterAll(async () => {
  for (const d of daemons) if (d.proc.exitCode === null) d.proc.kill("SIGKILL");
  await t.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("three daemons, one per-second schedule", () => {
  it("each slot is enqueued once, no gaps, through a leader kill -9; pause enqueues nothing", async () => {
    const env: QueueEnv = {
      redis: t.redis,
      keys: t.keys,
      clock: systemClock,
      queues: { ...BUILTIN_QUEUES, "sched-test": { timeout: 30, workers: 0, concurrency: 1 } },
      retention: DEFAULT_RETENTION,
    };
    const drain = startDrain(env, t.url, "sched-test");
    const vars = { REDIS_URL: t.url, PREFIX: t.prefix, EXPR: "* * * * * *", CATCHUP: '{"all":true,"window":"1m"}', LEASE_MS: String(LEASE_MS) };
    daemons = [spawnDaemon(vars), spawnDaemon(vars), spawnDaemon(vars)];
    await waitFor(() => daemons.every((d) => d.lines.some((l) => "token" in l)), 20_000, 50);
    const first = (await waitFor(() => daemons.find((d) => d.leader()), 5000, 20))!;
    await waitFor(() => drain.jobs.length >= 4, 10_000, 50);
    expect(daemons.filter((d) => d.leader())).toHaveLength(1);

    // kill -9 the leader; another must lead within two lease periods.
    const killedAt = Date.now();
    first.proc.kill("SIGKILL");
    const survivors = daemons.filter((d) => d !== first);
    const second = (await waitFor(() => survivors.find((d) => d.leader()), 2 * LEASE_MS + 500, 10))!;
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThanOrEqual(2 * LEASE_MS + 100);
    await waitFor(() => drain.jobs.some((j) => j.scheduledFor! >= killedAt + 3000), 8000, 50);

    // Pause: no more enqueues; the ledger says paused.
    await setSwitch({ redis: t.redis, keys: t.keys, clock: systemClock }, "pause", "test");
    const pausedAt = Date.now();
    await sleep(300); // one tick (every second) to see the switch
    const before = drain.jobs.length;
    await sleep(2200);
    expect(drain.jobs.length).toBe(before);
    const ledger = await readLedger(t.redis, t.keys, TASK);
    expect(ledger[0]).toMatchObject({ outcome: "skipped", reason: "paused" });
    expect(ledger[0]!.count).toBeGreaterThanOrEqual(2);

    for (const d of survivors) d.proc.kill("SIGTERM");
    await Promise.all(survivors.map((d) => d.exited));
    await drain.stop();

    // Every slot from the first to the last fired exactly once, no gaps (jobs per slot = 1).
    const perSlot = new Map<number, number>();
    for (const j of drain.jobs) perSlot.set(j.scheduledFor!, (perSlot.get(j.scheduledFor!) ?? 0) + 1);
    const slots = [...perSlot.keys()].sort((a, b) => a - b);
    expect([...perSlot.values()].every((n) => n === 1)).toBe(true);
    for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!).toBe(1000);
    expect(slots.length).toBeGreaterThanOrEqual(8);
    expect(slots.at(-1)!).toBeLessThan(pausedAt + 1000);
    // Slots during the takeover were caught up, flagged as such.
    const caughtUp = drain.jobs.filter((j) => j.catchup).map((j) => j.scheduledFor!);
    expect(caughtUp.every((s) => s >= killedAt - 1000)).toBe(true);
    expect(second.lines.some((l) => "stopped" in l)).toBe(true);
    expect(await t.redis.exists(t.keys.schedulerLeader())).toBe(0); // released on SIGTERM
    process.stdout.write(`takeover ${takeoverMs} ms; ${slots.length} slots; ${caughtUp.length} caught up after the kill\n`);
  });
});
