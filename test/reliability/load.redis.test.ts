/**
 * Load: 20 000 jobs through 2 worker processes while 3 scheduler daemons fire every second,
 * on a redis-server of the test's own (a free port, so its memory is ours alone). Every job runs
 * exactly once, every slot is enqueued once, and with a 2 s retention and cleanRegistries the
 * server's memory returns to its baseline. bench/soak.mjs runs the same for minutes.
 */
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/redis.js";
import { spawnDaemon, type Daemon } from "../scheduler/helpers.js";
import { createKeys } from "../../src/redis/keys.js";
import { cleanRegistries } from "../../src/queue/registry.js";
import { readLedger } from "../../src/scheduler/ledger.js";
import { account, expectAccounted, report } from "./helpers/accounting.js";
import { relEnv } from "./helpers/env.js";
import { enqueueBulk, usedMemory } from "./helpers/load.js";
import { APP_HOOKS, spawnScheduler } from "./helpers/procs.js";
import { type Watched, stoppedAfterEach } from "../helpers/spawn.js";
import { redisServer, type RedisServer } from "./helpers/redis-server.js";

const JOBS = 20_000;
let server: RedisServer | undefined;
let redis: Redis | undefined;
const daemons: Daemon[] = [];

// The test's own server and daemons, stopped after it (so the leak guard finds none), once the
// processes below are: registered first, so run last.
afterEach(async () => {
  for (const d of daemons) d.proc.kill("SIGKILL");
  redis?.disconnect();
  await server?.stop();
});
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const procs = stoppedAfterEach();

describe("load", () => {
  it("20 000 jobs, 2 workers, 3 schedulers: all accounted for, memory back to baseline", { timeout: 120_000 }, async () => {
    server = await redisServer();
    await server.start();
    redis = new Redis(server.url);
    const keys = createKeys("rel-load");
    const baseline = await usedMemory(redis);
    const rec = `${keys.root}:rec`;
    const env = relEnv(redis, keys, { retention: { finished: 2, failed: 2 } });

    const t0 = Date.now();
    const ids = await enqueueBulk(env, JOBS, "app.tasks.work", { queue: "load", rec });
    const enqueueMs = Date.now() - t0;
    for (let i = 0; i < 3; i++) daemons.push(spawnDaemon({ REDIS_URL: server.url, PREFIX: keys.prefix, TASKS: "3", EXPR: "* * * * * *", LEASE_MS: "1000" }));
    const w = spawnScheduler("worker", APP_HOOKS, server.url, keys.prefix, ["--queue", "load,sched-test", "--processes", "2", "--concurrency", "32", "--strategy", "round_robin"], {
      env: { RELIABILITY_RETENTION: "2", SCHEDULER_LOG_LEVEL: "warn", RELIABILITY_REC: `${rec}:sched` },
    });
    procs.push(w);
    const t1 = Date.now();
    await waitFor(async () => (await redis!.hlen(rec)) === JOBS, 100_000, 250).catch(async () => {
      throw new Error(`only ${await redis!.hlen(rec)} of ${JOBS} ran:\n${w.output().slice(-3000)}`);
    });
    const runMs = Date.now() - t1;
    // The schedulers fire for at least 8 s whatever the machine's speed.
    await new Promise((r) => setTimeout(r, Math.max(0, 8000 - runMs)));
    // Stop the schedulers, let the workers finish what they enqueued, then stop the workers.
    for (const d of daemons) d.proc.kill("SIGTERM");
    await Promise.all(daemons.map((d) => d.exited));
    await waitFor(async () => (await redis!.llen(keys.queue("sched-test"))) === 0 && (await redis!.zcard(keys.started("sched-test"))) === 0, 20_000);
    expect((await w.stop()).code).toBe(0);

    // Every slot of the 3 tasks was enqueued once, whichever daemon led.
    const scheduled: string[] = [];
    for (let i = 0; i < 3; i++) {
      const entries = (await readLedger(redis, keys, `cron|* * * * * *|app.tasks.t${i}`)).filter((e) => e.outcome === "enqueued");
      expect(new Set(entries.map((e) => e.slot)).size).toBe(entries.length);
      expect(entries.length).toBeGreaterThan(3);
      scheduled.push(...entries.map((e) => e.jobId!));
    }
    const a = await account({ redis, keys, queues: ["load", "sched-test"], ids, rec, allowExpired: true });
    const s = await account({ redis, keys, queues: ["load", "sched-test"], ids: scheduled, rec: `${rec}:sched`, allowExpired: true });
    report(`load: ${JOBS} jobs, 2 workers x 32, 3 schedulers (${Math.round((JOBS / runMs) * 1000)} jobs/s, enqueue ${enqueueMs} ms)`, { ...a, jobs: JOBS + scheduled.length }, runMs);
    expectAccounted({ ...a, strangers: a.strangers.filter((id) => !scheduled.includes(id)) });
    expect({ lost: s.lost, doubled: s.doubled }).toEqual({ lost: [], doubled: [] });

    // Retention: past 2 s every finished job may go; the sweep removes them; memory returns.
    await new Promise((r) => setTimeout(r, 2200));
    let removed = 0;
    for (let n = -1; n !== 0; ) removed += n = await cleanRegistries(env, { limit: 5000 });
    await redis.del(rec, `${rec}:start`, `${rec}:pid`, `${rec}:sched`);
    const jobKeys = await redis.keys(`${keys.root}:job:*`);
    expect(jobKeys).toEqual([]);
    const events = Number((await redis.call("MEMORY", "USAGE", keys.events())) ?? 0);
    const after = await usedMemory(redis);
    // eslint-disable-next-line no-console
    console.log(`LOAD memory: baseline ${baseline} B, after ${after} B (events stream ${events} B, capped), swept ${removed} jobs`);
    expect(removed).toBeGreaterThan(0);
    expect(after - events - baseline).toBeLessThan(1_500_000);
  });
});
