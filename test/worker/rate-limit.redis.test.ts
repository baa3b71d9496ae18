/**
 * Per-queue rate limits in the dequeue loop (src/worker/child/rate-gate.ts), with real worker processes:
 * fixtures/failure-app gives the `api` queue `rateLimit: { max: 5, per: 1 }`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { enqueueMany, fixture, getJob, queueEnv, spawnWorker } from "./helpers.js";
import { exitOf, type Watched, stoppedAfterEach } from "../helpers/spawn.js";
import type { QueueEnv } from "../../src/queue/context.js";

const HOOKS = fixture("failure-app");
const QUEUES = {
  default: { timeout: 30, workers: 1, concurrency: 1 },
  api: { timeout: 30, workers: 1, concurrency: 1, rateLimit: { max: 5, per: 1 } },
};
/** startedAt of a job of a limited queue is its slot's grant time (rate-gate.ts): no slack needed. */
const WINDOW_MS = 1000;

let t: TestRedis;
let env: QueueEnv;
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const workers = stoppedAfterEach();

beforeAll(async () => {
  t = await testRedis("worker-rate-limit");
  env = queueEnv(t, QUEUES);
});
afterAll(async () => {
  await t.cleanup();
});

/** The largest number of `times` inside any window [x, x + width). */
function busiestWindow(times: number[], width: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= width) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

async function startTimes(ids: string[]): Promise<number[]> {
  return Promise.all(ids.map(async (id) => (await getJob(t, id)).startedAt!));
}

describe("queue rate limit", () => {
  it("max 5 per 1 s holds across two worker processes (20 jobs)", async () => {
    const record = `${t.keys.root}:test:rate`;
    const a = spawnWorker(t, HOOKS, ["--queue", "api", "--concurrency", "4"]);
    const b = spawnWorker(t, HOOKS, ["--queue", "api", "--concurrency", "4"]);
    workers.push(a, b);
    // Both up before the jobs arrive, however slowly this machine starts them.
    await Promise.all([a.waitForLog("worker up"), b.waitForLog("worker up")]);
    const ids = await enqueueMany(env, 20, "app.tasks.stamp", { queue: "api", record });
    await waitFor(async () => (await Promise.all(ids.map((id) => getJob(t, id)))).every((j) => j.status === "finished"), 15_000);
    a.proc.kill("SIGTERM");
    b.proc.kill("SIGTERM");
    expect((await exitOf(a)).code).toBe(0);
    expect((await exitOf(b)).code).toBe(0);
    const starts = await startTimes(ids);
    expect(busiestWindow(starts, WINDOW_MS)).toBeLessThanOrEqual(5);
    // 20 starts at 5 per second need at least 3 full windows after the first start.
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(3 * WINDOW_MS);
    // Both processes took part (one child each: distinct pids recorded by the task).
    const pids = new Set((await t.redis.lrange(record, 0, -1)).map((r) => r.split(":")[1]));
    expect(pids.size).toBe(2);
  }, 30_000);

  it("a cooling limited queue does not hold back the worker's other queues", async () => {
    const record = `${t.keys.root}:test:mixed`;
    const api = await enqueueMany(env, 12, "app.tasks.stamp", { queue: "api", record });
    const other = await enqueueMany(env, 5, "app.tasks.stamp", { queue: "default", record });
    // api first in priority order: without the gate's cooldown it would be tried (and refused) first.
    const w = spawnWorker(t, HOOKS, ["--queue", "api,default", "--burst"]);
    workers.push(w);
    expect((await exitOf(w, 20_000)).code).toBe(0);
    // Burst ends only once the cooling queue is empty too.
    for (const id of [...api, ...other]) expect((await getJob(t, id)).status).toBe("finished");

    const apiStarts = await startTimes(api);
    const otherStarts = await startTimes(other);
    expect(busiestWindow(apiStarts, WINDOW_MS)).toBeLessThanOrEqual(5);
    // The default jobs ran during the first cooldown, long before the api backlog was done.
    expect(Math.max(...otherStarts)).toBeLessThan(Math.min(...apiStarts) + 1000);
    expect(Math.max(...apiStarts) - Math.min(...apiStarts)).toBeGreaterThanOrEqual(2 * WINDOW_MS);
  }, 30_000);
});
