/**
 * The examples/ that need a worker, run as written by real worker processes against real Redis:
 * job chaining, retry, error notification (hooks job_failure_handlers), progress, custom queue
 * dequeue, enqueue options and queue selection through a burst supervisor whose children load
 * examples/ as the app (fixtures/examples-app/hooks.ts); scheduled_jobs.hooks.ts through the CLI
 * (`scheduler trigger`, then `scheduler worker --burst` on that very hooks file).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { runCli } from "../helpers/spawn.js";
import { allEvents } from "../helpers/job-reads.js";
import { setActiveContext, type QueueEnv } from "../../src/queue/context.js";
import { getJobWith } from "../../src/queue/registry.js";
import { decodeJob } from "../../src/queue/job-codec.js";
import { loadHooks } from "../../src/hooks/load.js";
import { resolveConfig } from "../../src/settings/resolve.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { enqueueScheduled } from "../../src/queue/enqueue-scheduled.js";
import { allTaskPaths, createTaskTable, validateTaskPaths } from "../../src/tasks/task-loader.js";
import { systemClock } from "../../src/base/clock.js";
import { startSupervisor } from "../../src/worker/supervisor/supervisor.js";
import { silentLogger } from "../../src/worker/log.js";
import type { Job } from "../../src/queue/types.js";
import { enqueueWithRetry } from "../../examples/retry.js";
import { processData } from "../../examples/enqueue_options.js";
import { enqueueAll } from "../../examples/queue_selection.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const HOOKS = fileURLToPath(new URL("./fixtures/examples-app/hooks.ts", import.meta.url));
const SCHEDULED_HOOKS = `${ROOT}examples/scheduled_jobs.hooks.ts`;

let t: TestRedis;
let env: QueueEnv;
let server: Server;
/** What the ops webhook (examples/error_notification.ts notify_ops) received. */
const posted: Array<{ event: string; job: { id: string; method: string }; error: { message: string }; attempts: number }> = [];
const ids: Record<string, string> = {};

async function finished(queue: string): Promise<Job[]> {
  const found = await t.redis.zrange(t.keys.finished(queue), 0, -1);
  return Promise.all(found.map(async (id) => decodeJob(await t.redis.hgetall(t.keys.job(id, t.keys.jobTag(queue))), id)));
}

async function job(id: string): Promise<Job> {
  return (await getJobWith(env, id))!;
}

/**
 * On a 2-core machine shared with other runs a process start-up (node, the TS loader, the app's
 * modules) has taken over 10 s; these bounds are for start-ups, the jobs themselves take
 * milliseconds and the burst worker exits as soon as its queues are empty.
 */
const CLI_BOUND_MS = 60_000;
const SUPERVISOR_BOUND_MS = 120_000;
/**
 * The hooks files' evaluation is bounded by the same start-up bound: the TypeScript loader's
 * first transform of a hooks file and the app it imports is start-up work too, and has taken
 * over the product's default 10 s at load 20. The load timeout itself is test/hooks/load-hang's.
 * Set in process.env (beforeAll): this process's loads, the CLI runs and the worker children.
 */
const LOAD_TIMEOUT_S = String(CLI_BOUND_MS / 1000);

async function run(args: string[]): Promise<{ code: number | null; out: string }> {
  const r = await runCli([...args, "--redis", t.url, "--prefix", t.prefix], { timeoutMs: CLI_BOUND_MS });
  if (r.signal === "SIGKILL") throw new Error(`scheduler ${args[0]} did not exit within ${CLI_BOUND_MS} ms:\n${r.stdout}${r.stderr}`);
  return { code: r.code, out: r.stdout + r.stderr };
}

beforeAll(async () => {
  t = await testRedis("examples-worker");
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      posted.push(JSON.parse(raw));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  process.env.SCHEDULER_LOAD_TIMEOUT = LOAD_TIMEOUT_S;
  // The worker children inherit it: notify_ops posts here.
  process.env.OPS_WEBHOOK_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/failed`;

  const hooks = await loadHooks({ hooksPath: HOOKS });
  const config = { ...resolveConfig({ hooks, env: {} }), prefix: t.prefix };
  env = { redis: t.redis, keys: t.keys, clock: systemClock, queues: config.queues, retention: config.retention };
  setActiveContext(env); // the examples' own enqueue helpers use the active context

  ids.chain = ((await enqueueWith(env, "examples.job_chaining.job_step_1", { dataId: "42" })) as Job).id;
  ids.retryOk = (await enqueueWithRetry("d-1")).id;
  ids.retryBad = (await enqueueWithRetry("")).id;
  ids.critical = ((await enqueueWith(env, "examples.error_notification.critical_job", { data: "" })) as Job).id;
  ids.progress = ((await enqueueWith(env, "examples.progress.long_running_job", { items: ["a", "b", "c", "d"] })) as Job).id;
  ids.custom = ((await enqueueWith(env, "examples.queue_selection.send_email", { queue: "my_custom_queue", to: "c@example.com" })) as Job).id;
  ids.drain = ((await enqueueWith(env, "examples.custom_queue.process_custom_queue", {})) as Job).id;
  const first = await processData();
  ids.options = first.id;
  ids.optionsAgainDeduplicated = String((await processData()).deduplicated === true && first.status === "queued");
  await enqueueAll();

  // Every queue but my_custom_queue: its job must be drained by process_custom_queue.
  const sup = await startSupervisor({
    config,
    redisUrl: t.url,
    groups: [{ name: "examples", queues: ["short", "default", "long"], processes: 1, concurrency: 2, strategy: "priority" }],
    burst: true,
    promote: true,
    logger: silentLogger,
    childModule: pathToFileURL(`${ROOT}dist/worker/child/main.js`),
  });
  expect(await sup.done).toBe(0);
}, SUPERVISOR_BOUND_MS);

afterAll(async () => {
  setActiveContext(undefined);
  delete process.env.OPS_WEBHOOK_URL;
  await new Promise((r) => server.close(r));
  await t.cleanup();
});

describe("examples in a real worker", () => {
  it("job_chaining: each step enqueues the next after it succeeds; step 3 gets step 2's result", async () => {
    const step1 = await job(ids.chain!);
    expect(step1).toMatchObject({ status: "finished", result: "step1(42)" });
    const step2 = await job(step1.children![0]!);
    expect(step2).toMatchObject({ method: "examples.job_chaining.job_step_2", status: "finished", result: "step2(step1(42))" });
    const step3 = await job(step2.children![0]!);
    expect(step3).toMatchObject({ method: "examples.job_chaining.job_step_3", status: "finished", result: "done(step2(step1(42)))" });
  });

  it("retry: a good run finishes; UnrecoverableError fails at once despite retry { max: 3 }", async () => {
    expect(await job(ids.retryOk!)).toMatchObject({ status: "finished", result: "d-1", retry: { max: 3 } });
    const bad = await job(ids.retryBad!);
    expect(bad).toMatchObject({ status: "failed", attempt: 1, error: { message: "dataId is required" } });
  });

  it("error_notification: the hooks' job_failure_handlers (notify_ops) post each final failure once; logError records", async () => {
    const byJob = (id: string) => posted.filter((p) => p.job.id === id);
    expect(byJob(ids.critical!)).toEqual([expect.objectContaining({ event: "job.failed", error: expect.objectContaining({ message: "no data" }), attempts: 1 })]);
    expect(byJob(ids.retryBad!)).toHaveLength(1);
    expect(posted).toHaveLength(2); // nothing for the jobs that finished
    const logged = await allEvents<{ type: string; msg: string }>(t);
    expect(logged).toContainEqual(expect.objectContaining({ type: "log.error", msg: "Background Job Failed: critical_job: no data" }));
    expect(logged.filter((e) => e.type === "job.failure_handler_ran" && e.msg.includes("notify_ops ran"))).toHaveLength(2);
  });

  it("progress: stored on the job; the task saw its own id", async () => {
    const j = await job(ids.progress!);
    expect(j.status).toBe("finished");
    expect(j.result).toEqual({ jobId: ids.progress, processed: 4 });
    expect(j.progress).toMatchObject({ percent: 100, title: "Processing Items", description: "Processing 4 of 4" });
  });

  it("custom_queue: a scheduled task drains my_custom_queue by hand (dequeue + perform)", async () => {
    expect(await job(ids.drain!)).toMatchObject({ status: "finished", result: ids.custom });
    expect(await job(ids.custom!)).toMatchObject({ status: "finished", result: "mailed c@example.com", queue: "my_custom_queue" });
  });

  it("enqueue_options: long queue, its timeout, jobId + deduplicate (the second call got the first job)", async () => {
    expect(ids.options).toBe("process-data-123");
    expect(ids.optionsAgainDeduplicated).toBe("true");
    expect(await job(ids.options!)).toMatchObject({ queue: "long", timeout: 600, status: "finished", result: { dataId: "123", option: "value" } });
    expect((await finished("long")).filter((j) => j.method === "examples.enqueue_options.process_data")).toHaveLength(1);
  });

  it("queue_selection: one job per queue, each run from its own queue", async () => {
    const results = (q: string) => finished(q).then((js) => js.filter((j) => j.method.startsWith("examples.queue_selection.")).map((j) => j.result));
    expect(await results("short")).toEqual(["mailed a@example.com"]);
    expect(await results("default")).toEqual(["batch 1"]);
    expect(await results("long")).toEqual(["report 2026-01"]);
  });

  it("scheduled_jobs.hooks.ts: every task resolves; trigger and the scheduler's enqueue queue them; a burst worker runs them", async () => {
    const hooks = await loadHooks({ hooksPath: SCHEDULED_HOOKS });
    const registry = createTaskTable(resolveConfig({ hooks, env: {} }).appRoot);
    expect(await validateTaskPaths(registry, allTaskPaths(hooks), hooks.file)).toEqual([]);
    // Two events through the CLI (a process each, side by side: each start-up loads the app),
    // the other five as the scheduler fires them.
    const triggered = await Promise.all(["daily", "0 9 * * *"].map((e) => run(["trigger", e, "--hooks", SCHEDULED_HOOKS])));
    for (const r of triggered) {
      expect(r.out).toMatch(/enqueued my_app\.tasks\.\w+ -> /);
      expect(r.code).toBe(0);
    }
    const slot = Date.UTC(2026, 0, 5, 8, 0); // a Monday, 09:00 in Berlin
    for (const task of hooks.tasks.filter((x) => x.event !== "daily" && x.expression !== "0 9 * * *")) {
      const r = await enqueueScheduled(env, { task: task.id, slot, method: task.method, queue: task.queue, kwargs: task.kwargs, catchup: false });
      expect(r.outcome).toBe("enqueued");
    }
    const w = await run(["worker", "--burst", "--queue", "default", "--hooks", SCHEDULED_HOOKS]);
    expect(w.code).toBe(0);
    const done = (await finished("default")).filter((j) => j.method.startsWith("my_app.tasks."));
    expect(done.map((j) => j.method).sort()).toEqual(
      ["daily_report", "frequent_check", "hourly_cleanup", "monthly_archive", "morning_task", "process_queue", "weekly_summary"].map((n) => `my_app.tasks.${n}`),
    );
    expect(done.find((j) => j.method === "my_app.tasks.daily_report")!.result).toEqual({ did: "sent the daily report", slot: null, catchup: false });
    expect(done.find((j) => j.method === "my_app.tasks.weekly_summary")!.result).toEqual({ did: "sent the weekly summary", slot, catchup: false });
  }, 3 * CLI_BOUND_MS);
});
