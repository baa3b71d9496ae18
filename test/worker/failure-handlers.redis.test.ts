/**
 * Failure handlers wired into the workers (src/worker/failure-handlers.ts), with real worker
 * processes: called exactly once per FINAL failure (never for a retried attempt), from the child
 * (task threw), the supervisor (hard timeout, dead child) and the reaper; the hooks' handlers plus
 * the job's own (enqueue option onFailure, hooks entry on_failure); a throwing handler is logged
 * and recorded while the others still run and the worker goes on.
 */
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { attempts, enqueueMany, events, fixture, getJob, queueEnv, spawnWorker } from "./helpers.js";
import { REPO_ROOT, exitOf, type Watched, stoppedAfterEach } from "../helpers/spawn.js";
import { loadHooks } from "../../src/hooks/load.js";
import { resolveConfig } from "../../src/settings/resolve.js";
import { enqueueScheduled } from "../../src/queue/enqueue-scheduled.js";
import { dequeue } from "../../src/queue/lifecycle.js";
import { startSupervisor, type Supervisor } from "../../src/worker/supervisor/supervisor.js";
import { silentLogger } from "../../src/worker/log.js";
import type { QueueEnv } from "../../src/queue/context.js";

const HOOKS = fixture("failure-app");
const QUEUES = { short: { timeout: 1, workers: 1, concurrency: 1 }, default: { timeout: 30, workers: 1, concurrency: 1 } };
const GLOBAL = ["record", "explode", "record_again"];

let t: TestRedis;
let env: QueueEnv;
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const workers = stoppedAfterEach();
let sup: Supervisor | undefined;

beforeAll(async () => {
  t = await testRedis("worker-failure-handlers");
  env = queueEnv(t, QUEUES);
});
afterAll(async () => {
  sup?.force("test over");
  await t.cleanup();
});

interface Handled {
  handler: string;
  jobId: string;
  status: string;
  error: string;
  attempts: number;
  pid: number;
}

async function handled(record: string): Promise<Handled[]> {
  return (await t.redis.lrange(`${record}:handled`, 0, -1)).map((s) => JSON.parse(s) as Handled);
}

/** Run a burst worker on `queue` to the end; it must exit 0 (a throwing handler crashes nothing). */
async function burst(queue: string): Promise<Watched> {
  const w = spawnWorker(t, HOOKS, ["--queue", queue, "--burst"]);
  workers.push(w);
  expect((await exitOf(w, 20_000)).code).toBe(0);
  return w;
}

describe("failure handlers in the worker", () => {
  it("a job with retry { max: 2 }: handlers run once, after the 3rd attempt, with job, error and attempts; a throwing handler harms nothing", async () => {
    const record = `${t.keys.root}:test:retry`;
    const [id] = await enqueueMany(env, 1, "app.tasks.fails", { queue: "default", record, retry: { max: 2, delay: 0 } });
    const [flaky] = await enqueueMany(env, 1, "app.tasks.flaky", { queue: "default", record });
    const [flakyRetried] = await enqueueMany(env, 1, "app.tasks.flaky", { queue: "default", record, retry: { max: 1, delay: 0 } });
    const w = await burst("default");

    expect(await t.redis.lrange(record, 0, -1)).toEqual(
      expect.arrayContaining([`attempt:${id}:1`, `attempt:${id}:2`, `attempt:${id}:3`, `attempt:${flakyRetried}:2`]),
    );
    const calls = await handled(record);
    // `flaky` without retry failed for good on attempt 1: its handlers ran; the retried one finished.
    expect((await getJob(t, flakyRetried!)).status).toBe("finished");
    expect(calls.filter((c) => c.jobId === flakyRetried)).toEqual([]);
    expect(calls.filter((c) => c.jobId === flaky).map((c) => c.handler).sort()).toEqual(["record", "record_again"]);

    const mine = calls.filter((c) => c.jobId === id);
    expect(mine.map((c) => c.handler).sort()).toEqual(["record", "record_again"]); // exactly once each
    for (const c of mine) expect(c).toMatchObject({ status: "failed", error: "boom on attempt 3", attempts: 3 });
    expect((await attempts(t, id!)).map((a) => a.outcome)).toEqual(["failed", "failed", "failed"]);
    // Run in the child that failed the job, not in the supervisor.
    expect(mine[0]!.pid).not.toBe(w.proc.pid);

    const recorded = (await events(t)).filter((e) => e.type === "job.failure_handler_ran" && e.jobId === id);
    expect(recorded.map((e) => e.data?.handler).sort()).toEqual(["app.alerts.explode", "app.alerts.record", "app.alerts.record_again"]);
    expect(recorded.find((e) => e.data?.handler === "app.alerts.explode")).toMatchObject({ msg: expect.stringContaining("notifier is down"), data: { ok: false } });
    expect(w.output()).toContain("failure handler app.alerts.explode failed");
  }, 30_000);

  it("the enqueue option onFailure adds the job's own handler (hooks handlers still run)", async () => {
    const record = `${t.keys.root}:test:own`;
    const [id] = await enqueueMany(env, 1, "app.tasks.fails", { queue: "default", record, onFailure: "app.alerts.own" });
    expect((await getJob(t, id!)).onFailure).toBe("app.alerts.own");
    await burst("default");
    expect((await handled(record)).map((c) => c.handler).sort()).toEqual(["own", "record", "record_again"]);
  }, 30_000);

  it("a hooks entry's on_failure is carried onto the scheduled job and called", async () => {
    const record = `${t.keys.root}:test:per-task`;
    const hooks = await loadHooks({ hooksPath: HOOKS });
    const task = hooks.tasks.find((x) => x.method === "app.tasks.fails")!;
    expect(task.onFailure).toBe("app.alerts.per_task");
    // The fields the scheduler passes (src/scheduler/scheduler.ts fire()).
    const r = await enqueueScheduled(env, { task: task.id, slot: Date.now(), method: task.method, queue: task.queue, kwargs: { ...task.kwargs, record }, catchup: false, onFailure: task.onFailure });
    expect(r.outcome).toBe("enqueued");
    await burst("default");
    expect((await handled(record)).map((c) => c.handler).sort()).toEqual(["per_task", "record", "record_again"]);
  }, 30_000);

  it("a job killed at its hard timeout: handlers run once, in the supervisor", async () => {
    const record = `${t.keys.root}:test:timeout`;
    const [id] = await enqueueMany(env, 1, "app.tasks.spin", { queue: "short", record });
    const w = await burst("short");
    expect((await getJob(t, id!)).error?.message).toMatch(/timed out after 1 s/);
    const calls = await handled(record);
    expect(calls.map((c) => c.handler).sort()).toEqual(["record", "record_again"]);
    for (const c of calls) expect(c).toMatchObject({ jobId: id, status: "failed", attempts: 1, pid: w.proc.pid });
  }, 30_000);

  it("a job whose child is killed (-9) past the stall limit: failed as abandoned, handlers once", async () => {
    const record = `${t.keys.root}:test:abandoned`;
    const [id] = await enqueueMany(env, 1, "app.tasks.die", { queue: "default", record });
    await burst("default"); // stall limit 1: requeued once, then failed on the second death
    const job = await getJob(t, id!);
    expect(job).toMatchObject({ status: "failed", attempt: 2 });
    expect(job.error?.message).toMatch(/abandoned/);
    const calls = await handled(record);
    expect(calls.map((c) => c.handler).sort()).toEqual(["record", "record_again"]);
    for (const c of calls) expect(c).toMatchObject({ jobId: id, attempts: 2 });
  }, 30_000);

  it("the reaper (a worker gone elsewhere, stall limit 0): handlers once, from the reaping supervisor", async () => {
    process.env.WORKER_TEST_REDIS_URL = t.url;
    const record = `${t.keys.root}:test:reaped`;
    const [id] = await enqueueMany(env, 1, "app.tasks.noop", { queue: "default", record });
    // A worker on some other host leased it and vanished: its lease is already over.
    expect((await dequeue(env, { queues: ["default"], worker: "gone-host.1", leaseMs: 0 }))?.id).toBe(id);
    const hooks = await loadHooks({ hooksPath: HOOKS });
    const config = { ...resolveConfig({ hooks, env: {} }), prefix: t.prefix };
    sup = await startSupervisor({
      config,
      redisUrl: t.url,
      groups: [{ name: "long", queues: ["long"], processes: 1, concurrency: 1, strategy: "priority" }],
      stallLimit: 0,
      // A starting supervisor waits one lease period before it reaps (start-up counts as lost
      // contact: src/worker/supervisor/reap-gate.ts): 2 s here, not the default 6 s. Its own
      // child serves an empty queue, so no lease of its own depends on the length.
      timings: { reapMs: 100, leaseMs: 2000 },
      logger: silentLogger,
      childModule: pathToFileURL(`${REPO_ROOT}dist/worker/child/main.js`),
    });
    await waitFor(async () => (await handled(record)).length === 2, 15_000);
    sup.stop();
    expect(await sup.done).toBe(0);
    const calls = await handled(record);
    expect(calls.map((c) => c.handler).sort()).toEqual(["record", "record_again"]);
    for (const c of calls) expect(c).toMatchObject({ jobId: id, status: "failed", pid: process.pid });
    expect((await getJob(t, id!)).error?.message).toMatch(/abandoned/);
  }, 30_000);
});
