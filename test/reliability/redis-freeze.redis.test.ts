/**
 * Redis frozen (SIGSTOP) for longer than a lease, then resumed (SIGCONT), under two daemons
 * running 32 long jobs: by the clock every lease lapsed during the freeze, yet every owner is
 * alive. No reaper may take a live owner's job: each job runs exactly once, counted from the
 * tasks' own log file (Redis is the thing frozen). The redis-server is the test's own, on a
 * free port.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { freePort } from "../../src/base/free-port.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { waitFor } from "../helpers/redis.js";
import { createKeys } from "../../src/redis/keys.js";
import { account, expectAccounted, report } from "./helpers/accounting.js";
import { enqueueN, relEnv } from "./helpers/env.js";
import { spawnScheduler } from "./helpers/procs.js";
import type { Watched } from "../helpers/spawn.js";
import { redisServer, type RedisServer } from "./helpers/redis-server.js";

const HOOKS = fileURLToPath(new URL("./fixtures/freeze/hooks.ts", import.meta.url));
const JOBS = 32;
/** Longer than the freeze plus the time to start every job, so each job spans the freeze. */
const JOB_MS = 25_000;
/** The daemons' lease is 6 s (DEFAULT_TIMINGS.leaseMs); the freeze is well past it. */
const FREEZE_MS = 15_000;

type OnTestFinished = (fn: () => Promise<void>) => void;

/**
 * Each test's own processes and clean-ups, run when that test ends: the two tests run side by
 * side (each on its own redis-server and key prefix), so a file-wide afterEach would stop the
 * other test's daemons. Processes first (killed and awaited), then the rest in reverse order.
 */
function ownedBy(onTestFinished: OnTestFinished): { procs: Watched[]; cleanups: Array<() => Promise<void> | void> } {
  const procs: Watched[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  onTestFinished(async () => {
    await Promise.all(procs.splice(0).map((p) => p.kill9()));
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return { procs, cleanups };
}

/** Per job id, how many runs started, and the log lines (for messages). */
function runsOf(log: string): { starts: Map<string, number>; lines: string[] } {
  const lines = readFileSync(log, "utf8").split("\n").filter(Boolean);
  const starts = new Map<string, number>();
  for (const line of lines) {
    const [what, id] = line.split(" ");
    if (what === "start" && id) starts.set(id, (starts.get(id) ?? 0) + 1);
  }
  return { starts, lines };
}

describe.concurrent("Redis freeze longer than a lease", () => {
  it("two daemons, 32 long jobs, SIGSTOP 15 s then SIGCONT: every job runs once", async ({ onTestFinished }) => {
    const { procs, cleanups } = ownedBy(onTestFinished);
    const server: RedisServer = await redisServer();
    cleanups.push(() => server.stop());
    await server.start();
    const redis = new Redis(server.url, { maxRetriesPerRequest: null });
    redis.on("error", () => {});
    cleanups.push(() => redis.disconnect());
    const dir = mkdtempSync(join(tmpdir(), "hs-freeze-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const log = join(dir, "runs.log");

    const keys = createKeys(`rel-freeze-${process.pid}`);
    const env = relEnv(redis, keys, { queues: { freeze: { timeout: 120, workers: 2, concurrency: 8 } } });
    for (let i = 0; i < 2; i++) procs.push(spawnScheduler("start", HOOKS, server.url, keys.prefix, ["--no-scheduler", "--queue", "freeze"]));
    const ids = await enqueueN(env, JOBS, "app.tasks.long", { queue: "freeze", log, ms: JOB_MS });
    await waitFor(() => {
      try {
        return runsOf(log).starts.size === JOBS;
      } catch {
        return false;
      }
    }, 30_000).catch(() => {
      throw new Error(`not every job started:\n${procs.map((p) => p.output().slice(-1500)).join("\n---\n")}`);
    });
    const startedAt = Date.now();

    server.proc().kill("SIGSTOP");
    await new Promise((r) => setTimeout(r, FREEZE_MS));
    server.proc().kill("SIGCONT");
    const resumedAt = Date.now();
    expect(resumedAt - startedAt).toBeLessThan(JOB_MS); // the freeze ended while every job still ran

    // Bounded by the jobs' own length after the resume, plus room for a busy machine.
    await waitFor(async () => (await redis.zcard(keys.finished("freeze"))) === JOBS, JOB_MS + 30_000).catch(async () => {
      throw new Error(`finished ${await redis.zcard(keys.finished("freeze"))} of ${JOBS}:\n${runsOf(log).lines.join("\n")}`);
    });
    const { starts, lines } = runsOf(log);
    const twice = [...starts].filter(([, n]) => n !== 1);
    expect(twice, lines.join("\n")).toEqual([]);
    expect(lines.filter((l) => l.startsWith("end "))).toHaveLength(JOBS);
    for (const p of procs) expect(p.alive()).toBe(true);
    await Promise.all(procs.map((p) => p.stop()));
    const a = await account({ redis, keys, queues: ["freeze"], ids });
    report("Redis frozen 15 s (SIGSTOP) under two daemons, 32 jobs", a, Date.now() - resumedAt);
    expectAccounted(a);
    const stalled = (await Promise.all(ids.map((id) => redis.hget(keys.job(id), "stalls")))).filter((s) => s !== null && s !== "0");
    expect(stalled).toEqual([]);
  });

  it("an owner that finds its job leased to another worker aborts its run and writes nothing; the job ends finished once", async ({ onTestFinished }) => {
    const { procs, cleanups } = ownedBy(onTestFinished);
    const server: RedisServer = await redisServer();
    cleanups.push(() => server.stop());
    await server.start();
    const redis = new Redis(server.url, { maxRetriesPerRequest: null });
    redis.on("error", () => {});
    cleanups.push(() => redis.disconnect());
    const dir = mkdtempSync(join(tmpdir(), "hs-lease-lost-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const log = join(dir, "runs.log");
    const keys = createKeys(`rel-lease-lost-${process.pid}`);
    const env = relEnv(redis, keys, { queues: { freeze: { timeout: 120, workers: 2, concurrency: 8 } } });
    const d = spawnScheduler("start", HOOKS, server.url, keys.prefix, ["--no-scheduler", "--queue", "freeze"]);
    procs.push(d);
    const [id] = await enqueueN(env, 1, "app.tasks.long", { queue: "freeze", log, ms: 8_000 });
    await waitFor(() => {
      try {
        return runsOf(log).starts.get(id!) === 1;
      } catch {
        return false;
      }
    }, 30_000);
    // What a reaper cut off from the owner leaves behind: the job leased to another worker
    // (reaped, requeued, taken). That worker is made up here, so the job goes back to the
    // queue when its lease lapses and runs again on the daemon.
    await redis.hset(keys.job(id!), "worker", "another-worker");
    // The owner's next heartbeat (every 2 s) finds the lease gone and aborts the first run.
    await waitFor(() => runsOf(log).lines.includes(`aborted ${id} JobLeaseLostError`), 15_000).catch(() => {
      throw new Error(`the first run was not aborted:\n${runsOf(log).lines.join("\n")}\n${d.output().slice(-2000)}`);
    });
    expect(d.output()).toContain("lease lost while this worker could not renew it");
    // The made-up owner's lease lapses (6 s) and the daemon's reaper gives the job back.
    await waitFor(async () => (await redis.hget(keys.job(id!), "status")) === "finished", 40_000);
    const { starts, lines } = runsOf(log);
    expect(starts.get(id!), lines.join("\n")).toBe(2);
    expect(lines.filter((l) => l === `end ${id}`)).toHaveLength(1);
    // The aborted run wrote no attempt of its own: the reap of the made-up worker's lease and
    // the finish only.
    const attempts = (await redis.lrange(keys.attempts(id!), 0, -1)).map((a) => JSON.parse(a) as { outcome: string; worker?: string });
    expect(attempts.map((a) => [a.outcome, a.worker])).toEqual([["requeued", "another-worker"], ["finished", expect.stringMatching(/\S/)]]);
  });
});
