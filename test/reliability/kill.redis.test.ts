/**
 * kill -9 with real processes: a worker child mid-job, then a whole daemon mid-batch (its
 * children go with it; a new daemon finishes everything). Every job must finish exactly once,
 * except the at-least-once re-run of a job in flight at the kill, counted and bounded.
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { account, expectAccounted, report } from "./helpers/accounting.js";
import { enqueueN, pidAlive, relEnv } from "./helpers/env.js";
import { APP_HOOKS, spawnScheduler } from "./helpers/procs.js";
import { type Watched, stoppedAfterEach } from "../helpers/spawn.js";

let t: TestRedis;
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const procs = stoppedAfterEach();
const opened: TestRedis[] = [];

// A prefix per test: the census of one scenario must not see the other's jobs.
beforeEach(async () => {
  t = await testRedis("rel-kill");
  opened.push(t);
});
afterAll(async () => {
  for (const r of opened) await r.cleanup();
});

const finishedCount = (rec: string) => t.redis.hlen(rec);

/**
 * Every task recorded its run and every completion reached Redis: a task writes its record
 * before its worker records the completion, so the record alone can run ahead of the registry.
 */
async function allFinished(rec: string, n: number): Promise<boolean> {
  return (await finishedCount(rec)) === n && (await t.redis.zcard(t.keys.finished("default"))) === n;
}

/** A job that is running now, and the pid of the child running it. */
async function runningJob(rec: string): Promise<{ id: string; pid: number }> {
  return (await waitFor(async () => {
    const running = await t.redis.zrange(t.keys.started("default"), 0, -1);
    for (const id of running) {
      const pid = await t.redis.hget(`${rec}:pid`, id);
      if (pid && !(await t.redis.hexists(rec, id))) return { id, pid: Number(pid) };
    }
    return undefined;
  }, 15_000))!;
}

describe("kill -9", () => {
  it("of a worker child mid-job: its jobs are requeued and every job finishes once", async () => {
    const rec = `${t.keys.root}:rec:child`;
    const ids = await enqueueN(relEnv(t.redis, t.keys), 40, "app.tasks.work", { rec, ms: 120 });
    const w = spawnScheduler("worker", APP_HOOKS, t.url, t.prefix, ["--queue", "default", "--processes", "2"]);
    procs.push(w);
    await waitFor(async () => (await finishedCount(rec)) >= 5, 20_000);
    const victim = await runningJob(rec);
    const killedAt = Date.now();
    process.kill(victim.pid, "SIGKILL");
    await waitFor(async () => (await t.redis.hget(t.keys.job(victim.id, t.keys.jobTag("default")), "status")) === "finished", 20_000);
    const recoveryMs = Date.now() - killedAt;
    await waitFor(() => allFinished(rec, ids.length), 30_000);

    const a = await account({ redis: t.redis, keys: t.keys, queues: ["default"], ids, rec });
    report("kill -9 worker child mid-job", a, recoveryMs);
    // The victim ran twice (started twice) but finished once: its first run never completed.
    expect(Number(await t.redis.hget(`${rec}:start`, victim.id))).toBe(2);
    // The victim may have recorded its work in the instant between being picked and the kill:
    // then it re-runs (at-least-once). No other job may.
    expectAccounted(a, 1);
    expect(a.reRun.filter((id) => id !== victim.id)).toEqual([]);
    expect(recoveryMs).toBeLessThan(10_000);
    expect((await w.stop()).code).toBe(0);
  });

  it("of the whole daemon mid-batch: a new daemon finishes every job; only in-flight jobs re-run", async () => {
    const rec = `${t.keys.root}:rec:daemon`;
    const ids = await enqueueN(relEnv(t.redis, t.keys), 40, "app.tasks.work", { rec, ms: 150 });
    const first = spawnScheduler("start", APP_HOOKS, t.url, t.prefix, ["--queue", "default"]);
    procs.push(first);
    await waitFor(async () => (await finishedCount(rec)) >= 6, 25_000);
    const inFlight = await t.redis.zrange(t.keys.started("default"), 0, -1);
    const childPids = (await t.redis.hvals(`${rec}:pid`)).map(Number);
    const killedAt = Date.now();
    await first.kill9();
    // Its children notice the closed IPC channel and exit: no orphan keeps running jobs.
    await waitFor(() => childPids.every((pid) => !pidAlive(pid)), 10_000);

    const second = spawnScheduler("start", APP_HOOKS, t.url, t.prefix, ["--queue", "default"]);
    procs.push(second);
    await waitFor(() => allFinished(rec, ids.length), 40_000);
    const recoveryMs = Date.now() - killedAt;

    const a = await account({ redis: t.redis, keys: t.keys, queues: ["default"], ids, rec });
    report("kill -9 daemon mid-batch, new daemon", a, recoveryMs);
    // At most the jobs a daemon runs at once (1 process x concurrency 2) can run twice.
    expectAccounted(a, 2);
    for (const id of a.reRun) expect(inFlight).toContain(id);
    expect((await second.stop()).code).toBe(0);
  });
});
