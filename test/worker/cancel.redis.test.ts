/**
 * Canceling a running job with real processes (`scheduler worker`, default timings: heartbeat
 * 2 s, cancel grace 5 s). A task that listens to its signal stops and its job ends canceled; one
 * that blocks its event loop is killed after the grace, its job canceled, and a new child takes
 * the next job. Neither is retried or failed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cancel } from "../../src/queue/registry.js";
import type { Job } from "../../src/queue/types.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { attempts, enqueueMany, events, fixture, getJob, queueEnv, spawnWorker } from "./helpers.js";
import { exitOf, type Watched, stoppedAfterEach } from "../helpers/spawn.js";

let t: TestRedis;
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const workers = stoppedAfterEach();

beforeAll(async () => {
  t = await testRedis("worker-cancel");
});
afterAll(async () => {
  await t.cleanup();
});

/** Start a worker on `id`'s queue, cancel the job once it runs; resolves with the job once canceled and how long that took. */
async function cancelWhileRunning(id: string, timeoutMs: number): Promise<{ w: Watched; job: Job; tookMs: number }> {
  const w = spawnWorker(t, fixture("app"), ["--queue", "default"]);
  workers.push(w);
  await waitFor(async () => (await getJob(t, id)).status === "started", 20_000);
  const asked = Date.now();
  expect(await cancel(id, queueEnv(t))).toBe("stopping");
  const job = (await waitFor(async () => {
    const j = await getJob(t, id);
    return j.status === "canceled" ? j : undefined;
  }, timeoutMs))!;
  return { w, job, tookMs: Date.now() - asked };
}

describe("cancel of a running job", () => {
  it("a task that listens to its signal stops, and its job ends canceled within a heartbeat", async () => {
    const env = queueEnv(t);
    const record = `${t.keys.root}:test:coop`;
    const [id] = await enqueueMany(env, 1, "app.tasks.cooperative", { queue: "default", record });
    const { w, job, tookMs } = await cancelWhileRunning(id!, 10_000);
    // the heartbeat (every 2 s) carries the request; the task stops at once
    expect(tookMs).toBeLessThan(5000);
    expect(job.cancelReason).toBe("its task stopped on the abort signal");
    expect((await attempts(t, id!)).map((a) => a.outcome)).toEqual(["canceled"]);
    expect(await t.redis.lrange(record, 0, -1)).toHaveLength(1); // ran once, not retried
    const types = (await events(t)).filter((e) => e.jobId === id).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["job.cancel_requested", "job.canceled"]));
    expect(types).not.toContain("job.failed");
    w.proc.kill("SIGTERM");
    expect((await exitOf(w)).code).toBe(0);
  });

  it("a task that blocks its event loop is killed after the grace; its job is canceled and the next job runs in a new child", async () => {
    const env = queueEnv(t);
    const record = `${t.keys.root}:test:spin`;
    const [spin] = await enqueueMany(env, 1, "app.tasks.spin", { queue: "default", record });
    const { w, job, tookMs } = await cancelWhileRunning(spin!, 15_000);
    expect(tookMs).toBeGreaterThanOrEqual(5000); // not before the grace
    expect(tookMs).toBeLessThan(12_000); // heartbeat (2 s) + grace (5 s) + the kill, on a busy machine
    expect(job.cancelReason).toMatch(/^it did not stop on its signal within the cancel grace, so worker .+ was killed$/);
    expect((await attempts(t, spin!)).map((a) => a.outcome)).toEqual(["canceled"]);
    expect((await events(t)).some((e) => e.type === "child.restarted" && e.data?.reason === "cancel")).toBe(true);

    const [after] = await enqueueMany(env, 1, "app.tasks.noop", { queue: "default" });
    await waitFor(async () => (await getJob(t, after!)).status === "finished", 15_000);
    expect(await t.redis.lrange(record, 0, -1)).toHaveLength(1);
    w.proc.kill("SIGTERM");
    expect((await exitOf(w)).code).toBe(0);
  });
});
