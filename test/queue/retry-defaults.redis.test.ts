/**
 * Retry declared in hooks: on a scheduler_events entry (`retry`) and per queue (`queues.<name>.
 * retry`, the default of every job of that queue that names none). Checked with one clear line,
 * normalized once, stored on each job at enqueue, and applied by the queue when an attempt fails.
 * The example's flaky_sync really is retried the way its comment says.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/settings/resolve.js";
import { loadHooks } from "../../src/hooks/load.js";
import { HooksValidationError } from "../../src/base/problems.js";
import type { LoadedHooks } from "../../src/hooks/types.js";
import { configure, setActiveContext } from "../../src/queue/context.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { enqueueScheduled } from "../../src/queue/enqueue-scheduled.js";
import { dequeue, failJob, promoteScheduled } from "../../src/queue/lifecycle.js";
import { getJobWith } from "../../src/queue/registry.js";
import type { Job } from "../../src/queue/types.js";
import { cleanupApps, makeApp, REPO_ROOT } from "../hooks/app-fixture.js";
import { queueFixture, T0, type QueueFixture } from "./helpers.js";

let f: QueueFixture;
beforeEach(async () => {
  f = await queueFixture("retry-defaults", { "app.tasks.sync": () => 1, "app.tasks.report": () => 1 });
});
afterEach(async () => {
  setActiveContext(undefined);
  await f.t.cleanup();
  await cleanupApps();
});

const HOOKS = `export default {
  scheduler_events: {
    hourly: [{ method: "app.tasks.sync", retry: { max: 2, delay: 10 } }],
    daily: ["app.tasks.report"],
    cron: { "0 1 * * *": [{ method: "app.tasks.report", queue: "reports", retry: 0 }] },
  },
  queues: { default: { retry: 4 }, reports: { timeout: 60, retry: { max: 1, backoff: "fixed", delay: 5 } } },
};
`;
const TASKS = `export function sync() {}\nexport function report() {}\n`;

async function loadApp(hooks: string): Promise<LoadedHooks> {
  return loadHooks({ cwd: await makeApp({ "hooks.ts": hooks, "app/tasks.ts": TASKS }) });
}

async function problemsOf(hooks: string): Promise<string[]> {
  try {
    const loaded = await loadApp(hooks);
    resolveConfig({ env: {}, hooks: loaded });
  } catch (err) {
    if (err instanceof HooksValidationError) return err.problems.map((p) => `${p.key}: ${p.message}`);
    return [(err as Error).message];
  }
  return [];
}

/** Fire a loaded task the way the scheduler does, on the fixture's env with the hooks' queues. */
async function fire(hooks: LoadedHooks, id: string, slot = T0): Promise<Job> {
  const task = hooks.tasks.find((t) => t.id === id)!;
  const r = await enqueueScheduled(f.env, {
    task: task.id, slot, method: task.method, queue: task.queue, kwargs: task.kwargs, catchup: false, retry: task.retry,
  });
  if (r.outcome !== "enqueued") throw new Error(`fire ${id}: ${r.outcome}`);
  return r.job;
}

/** Take the job (once its retry is due) and fail its attempt; the outcome and the retry's delay. */
async function failOnce(job: Job): Promise<{ outcome: string; retryInMs?: number }> {
  const stored = await getJobWith(f.env, job.id);
  f.clock.set(Math.max(f.clock(), stored?.scheduledAt ?? 0) + 1);
  await promoteScheduled(f.env);
  const taken = await dequeue(f.env, { queues: [job.queue], worker: "w", leaseMs: 30_000 });
  expect(taken?.id).toBe(job.id);
  const failedAt = f.clock();
  const outcome = await failJob(f.env, { job: taken!, worker: "w", error: new Error("upstream down") });
  const after = await getJobWith(f.env, job.id);
  return outcome === "retry-scheduled" ? { outcome, retryInMs: after!.scheduledAt! - failedAt } : { outcome };
}

describe("retry in hooks", () => {
  it("an entry's retry and a queue's default are normalized once", async () => {
    const hooks = await loadApp(HOOKS);
    const config = resolveConfig({ env: {}, hooks });
    expect(hooks.tasks.find((t) => t.id === "hourly|app.tasks.sync")!.retry).toEqual({ max: 2, backoff: "exponential", delay: 10, jitter: 0 });
    expect(hooks.tasks.find((t) => t.id === "daily|app.tasks.report")!.retry).toBeUndefined();
    expect(config.queues.default!.retry).toEqual({ max: 4, backoff: "exponential", delay: 60, jitter: 0 });
    expect(config.queues.reports!.retry).toEqual({ max: 1, backoff: "fixed", delay: 5, jitter: 0 });
    expect(config.queues.long!.retry).toBeUndefined();
  });

  it("the entry's retry wins over the queue's; an entry without one takes the queue's; retry: 0 means none", async () => {
    const hooks = await loadApp(HOOKS);
    f.env.queues = resolveConfig({ env: {}, hooks }).queues;
    const own = await fire(hooks, "hourly|app.tasks.sync");
    expect((await getJobWith(f.env, own.id))!.retry).toMatchObject({ max: 2, delay: 10 });
    expect(await failOnce(own)).toEqual({ outcome: "retry-scheduled", retryInMs: 10_000 });
    expect(await failOnce(own)).toEqual({ outcome: "retry-scheduled", retryInMs: 20_000 });
    expect(await failOnce(own)).toEqual({ outcome: "failed" });

    const inherited = await fire(hooks, "daily|app.tasks.report");
    expect((await getJobWith(f.env, inherited.id))!.retry).toMatchObject({ max: 4, delay: 60 });

    const none = await fire(hooks, "cron:0 1 * * *|app.tasks.report");
    expect((await getJobWith(f.env, none.id))!.retry).toMatchObject({ max: 0 });
    expect(await failOnce(none)).toEqual({ outcome: "failed" });
  });

  it("enqueue from code takes the queue's default unless it passes its own", async () => {
    const hooks = await loadApp(HOOKS);
    f.env.queues = resolveConfig({ env: {}, hooks }).queues;
    const byDefault = (await enqueueWith(f.env, "app.tasks.report", { queue: "reports" })) as Job;
    expect(byDefault.retry).toEqual({ max: 1, backoff: "fixed", delay: 5, jitter: 0 });
    expect(await failOnce(byDefault)).toEqual({ outcome: "retry-scheduled", retryInMs: 5_000 });
    expect(await failOnce(byDefault)).toEqual({ outcome: "failed" });
    const own = (await enqueueWith(f.env, "app.tasks.report", { queue: "reports", retry: 0 })) as Job;
    expect(own.retry).toMatchObject({ max: 0 });
    const long = (await enqueueWith(f.env, "app.tasks.report", { queue: "long" })) as Job;
    expect(long.retry).toBeUndefined();
  });

  it("configure() takes a queue retry in enqueue's form", async () => {
    const env = configure({ redis: f.t.redis, prefix: f.t.prefix, queues: { short: { retry: 2 } } });
    expect(env.queues.short!.retry).toEqual({ max: 2, backoff: "exponential", delay: 60, jitter: 0 });
    expect(() => configure({ redis: f.t.redis, prefix: f.t.prefix, queues: { short: { retry: { max: -1 } } } })).toThrow(
      "configure: queues.short.retry: max must be a whole number >= 0, got -1",
    );
  });

  it("a bad retry is one line naming the key and what to write", async () => {
    const entry = (retry: string) => `export default { scheduler_events: { daily: [{ method: "app.tasks.sync", retry: ${retry} }] } };\n`;
    expect(await problemsOf(entry(`"3"`))).toEqual([
      'scheduler_events.daily[0].retry: expected { max, backoff?, delay?, jitter? } or a number of retries; write retry: 3 or { max: 3, backoff: "exponential", delay: 60 }',
    ]);
    expect(await problemsOf(entry(`{ max: 2, tries: 3 }`))).toEqual([
      'scheduler_events.daily[0].retry: unknown key "tries"; allowed: max, backoff, delay, jitter; write retry: 3 or { max: 3, backoff: "exponential", delay: 60 }',
    ]);
    expect(await problemsOf(`export default { queues: { long: { retry: { backoff: "linear" } } } };\n`)).toEqual([
      'queues.long.retry: backoff must be "fixed" or "exponential", got "linear"; write retry: 3 or { max: 3, backoff: "exponential", delay: 60 }',
    ]);
  });
});

describe("the example app", () => {
  it("flaky_sync is retried 30 s and 60 s after it fails, then fails for good", async () => {
    const hooks = await loadHooks({ cwd: REPO_ROOT, hooksPath: "hooks.example.ts" });
    f.env.queues = resolveConfig({ env: {}, hooks }).queues;
    const flaky = hooks.tasks.find((t) => t.method === "example_app.tasks.flaky_sync")!;
    const r = await enqueueScheduled(f.env, { task: flaky.id, slot: T0, method: flaky.method, queue: flaky.queue, kwargs: flaky.kwargs, catchup: false, retry: flaky.retry });
    if (r.outcome !== "enqueued") throw new Error(r.outcome);
    expect(await failOnce(r.job)).toEqual({ outcome: "retry-scheduled", retryInMs: 30_000 });
    expect(await failOnce(r.job)).toEqual({ outcome: "retry-scheduled", retryInMs: 60_000 });
    expect(await failOnce(r.job)).toEqual({ outcome: "failed" });
    expect(f.env.queues.reports!.retry).toMatchObject({ max: 1 });
  });
});
