/**
 * Per-schedule controls against real Redis with a manual clock: the last outcome written by the
 * finish/fail scripts, pauseOnFailure, pause/resume one schedule, overlap policies (a catch-up
 * batch obeys them as one), except, counters and deadlines.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/base/clock.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { createScheduler } from "../../src/scheduler/scheduler.js";
import { readLedger } from "../../src/scheduler/ledger.js";
import { readOutcomes } from "../../src/scheduler/outcome.js";
import { readPauses } from "../../src/scheduler/schedule-pause.js";
import { readCounters } from "../../src/scheduler/counters.js";
import { scheduleKeys } from "../../src/redis/schedule-keys.js";
import { listOverrides, pauseSchedule, resumeSchedule } from "../../src/ops/schedule-controls.js";
import { type QueueEnv } from "../../src/queue/context.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../../src/config/defaults.js";
import { getJobWith, readFinalFailure } from "../../src/queue/registry.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { completeJob, dequeue, failJobDetailed, reapStalled } from "../../src/queue/lifecycle.js";
import type { ScheduledTask } from "../../src/hooks/types.js";
import type { CatchupPolicy } from "../../src/schedule/due.js";
import type { Job } from "../../src/queue/types.js";
import type { DeadlineMiss } from "../../src/scheduler/deadlines.js";
import { backfill } from "../../src/ops/schedule-backfill.js";
import { currentJob, runInJobContext } from "../../src/runtime/job-context.js";
import { cronTask } from "../helpers/scheduled-task.js";
import { sweepForwardRecords } from "../../src/queue/forward-sweep.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("schedule-controls");
});
afterAll(async () => {
  await t.cleanup();
});

const task = (name: string, extra: Partial<ScheduledTask> = {}, catchup: CatchupPolicy = "latest"): ScheduledTask => cronTask(name, "* * * * *", { catchup, ...extra });

function setup(start: string, tasks: ScheduledTask[], onDeadlineMissed?: (m: DeadlineMiss) => void) {
  const clock = manualClock(start);
  const env: QueueEnv = { redis: t.redis, keys: t.keys, clock, queues: BUILTIN_QUEUES, retention: DEFAULT_RETENTION };
  const scheduler = createScheduler({ env, tasks, timezone: "UTC", clock, onDeadlineMissed });
  return { clock, env, scheduler };
}

const take = async (env: QueueEnv) => (await dequeue(env, { queues: ["default"], worker: "w", leaseMs: 60_000 })) ?? undefined;

/**
 * Complete a job as a worker does. On the per-queue layout (TEST_JOB_TAGS=queue) its schedule's
 * outcome is a forward record on the job's tag, which a running worker's forwarder applies on
 * the installation's tag moments later; no worker runs here, so the sweep applies it (nothing on
 * the installation layout). failJobDetailed and reapStalled apply theirs before they return.
 */
async function complete(env: QueueEnv, job: Job): Promise<void> {
  await completeJob(env, { job, worker: "w", result: null });
  await sweepForwardRecords(env);
}

async function finishAll(env: QueueEnv): Promise<number> {
  let n = 0;
  for (let job = await take(env); job; job = await take(env)) {
    await complete(env, job);
    n++;
  }
  return n;
}

/** Fire slot `iso` (the clock is set to just after it) and return the ledger's newest entry. */
async function fireAt(s: ReturnType<typeof setup>, iso: string, id: string) {
  s.clock.set(Date.parse(iso) + 5);
  await s.scheduler.tick();
  return (await readLedger(t.redis, t.keys, id, 1))[0];
}

describe("last outcome with the ledger", () => {
  it("finish and fail of a scheduled job record status, duration, error line and finished at; other jobs record nothing", async () => {
    const a = task("outcome");
    const s = setup("2026-01-05T10:00:30Z", [a]);
    await s.scheduler.tick();
    await fireAt(s, "2026-01-05T10:01:00Z", a.id);
    s.clock.set("2026-01-05T10:01:01Z");
    const job = (await take(s.env))!;
    s.clock.set("2026-01-05T10:01:03.5Z");
    await complete(s.env, job);
    let [o] = await readOutcomes(t.redis, t.keys, [a.id]);
    expect(o).toMatchObject({ status: "finished", jobId: job.id, slot: Date.parse("2026-01-05T10:01:00Z"), durationMs: 2500, finishedAt: Date.parse("2026-01-05T10:01:03.5Z") });

    await fireAt(s, "2026-01-05T10:02:00Z", a.id);
    const second = (await take(s.env))!;
    const err = new Error("vendor said no\n  at somewhere");
    const r = await failJobDetailed(s.env, { job: second, worker: "w", error: err });
    expect(r.outcome).toBe("failed");
    [o] = await readOutcomes(t.redis, t.keys, [a.id]);
    expect(o).toMatchObject({ status: "failed", jobId: second.id, error: "vendor said no" });

    // a job enqueued from code with the same method leaves the schedule's record alone
    await enqueueWith(s.env, a.method, { queue: "default" });
    await finishAll(s.env);
    expect((await readOutcomes(t.redis, t.keys, [a.id]))[0]).toMatchObject({ jobId: second.id, status: "failed" });
  });
});

describe("pauseOnFailure", () => {
  it("pauses after N consecutive failed runs with a note naming the last failed job; a success resets the streak; resume lets slots run", async () => {
    const a = task("flaky", { pauseOnFailure: 2 });
    const s = setup("2026-01-06T10:00:30Z", [a]);
    await s.scheduler.start();
    await s.scheduler.stop();
    const failNext = async (iso: string) => {
      await fireAt(s, iso, a.id);
      const job = (await take(s.env))!;
      return { job, r: await failJobDetailed(s.env, { job, worker: "w", error: new Error("boom") }) };
    };
    await s.scheduler.tick();
    await failNext("2026-01-06T10:01:00Z");
    await fireAt(s, "2026-01-06T10:02:00Z", a.id);
    await finishAll(s.env); // a success between two failures: the streak starts again
    await failNext("2026-01-06T10:03:00Z");
    expect((await readPauses(t.redis, t.keys, [a.id]))[0]).toBeUndefined();
    const { job, r } = await failNext("2026-01-06T10:04:00Z");
    const [pause] = await readPauses(t.redis, t.keys, [a.id]);
    expect(pause).toMatchObject({ cause: "failures", jobId: job.id, by: "pauseOnFailure" });
    expect(pause!.note).toContain(job.id);
    expect(pause!.note).toContain("2 consecutive failed runs");
    // the failure handlers get the note with the final failure
    expect(r.outcome === "failed" && r.failure.schedulePaused).toBe(pause!.note);

    const paused = await fireAt(s, "2026-01-06T10:05:00Z", a.id);
    expect(paused).toMatchObject({ outcome: "skipped", reason: "paused" });
    expect(await take(s.env)).toBeUndefined();

    const ctx = { redis: t.redis, keys: t.keys, clock: s.clock, tasks: [a] };
    expect((await resumeSchedule(ctx, a.method, { by: "test" })).lifted).toMatchObject({ cause: "failures" });
    expect(await fireAt(s, "2026-01-06T10:06:00Z", a.id)).toMatchObject({ outcome: "enqueued" });
    await finishAll(s.env);
  });
});

describe("pauseOnFailure for an abandoned run", () => {
  it("a reaped run counts as failed, can pause the schedule, and the reaper's failure record carries the note", async () => {
    const a = task("abandoned", { pauseOnFailure: 1 });
    const s = setup("2026-01-06T12:00:30Z", [a]);
    await s.scheduler.start();
    await s.scheduler.stop();
    await fireAt(s, "2026-01-06T12:01:00Z", a.id);
    const job = (await dequeue(s.env, { queues: ["default"], worker: "gone", leaseMs: 1000 }))!;
    s.clock.advance(5000);
    const reaped = await reapStalled(s.env, { stallLimit: 0 });
    expect(reaped.failed).toEqual([job.id]);
    const [pause] = await readPauses(t.redis, t.keys, [a.id]);
    expect(pause).toMatchObject({ cause: "failures", jobId: job.id });
    expect((await readOutcomes(t.redis, t.keys, [a.id]))[0]).toMatchObject({ status: "abandoned", jobId: job.id });
    expect((await readFinalFailure(s.env, job.id))!.schedulePaused).toBe(pause!.note);
    await resumeSchedule({ redis: t.redis, keys: t.keys, clock: s.clock, tasks: [a] }, a.id, { by: "test" });
  });
});

describe("pause one schedule", () => {
  it("pauses only that schedule, with who/when/note, counted as skipped(paused); resume runs the next slot, not the paused ones", async () => {
    const a = task("held");
    const b = task("free", { overlap: "allow" });
    const s = setup("2026-01-07T10:00:30Z", [a, b]);
    await s.scheduler.tick();
    const ctx = { redis: t.redis, keys: t.keys, clock: s.clock, tasks: [a, b] };
    const r = await pauseSchedule(ctx, a.method, { note: "vendor API down", by: "ops@host" });
    expect(r).toMatchObject({ task: a.id, pause: { note: "vendor API down", by: "ops@host", cause: "manual", at: s.clock() } });
    expect(await listOverrides(ctx)).toEqual([{ task: a.id, kind: "paused", pause: r.pause, inHooks: true }]);

    expect(await fireAt(s, "2026-01-07T10:01:00Z", a.id)).toMatchObject({ outcome: "skipped", reason: "paused" });
    expect((await readLedger(t.redis, t.keys, b.id, 1))[0]).toMatchObject({ outcome: "enqueued" });
    await fireAt(s, "2026-01-07T10:02:00Z", a.id);
    expect((await readCounters(t.redis, t.keys, [a.id], () => a.queue))[0]).toMatchObject({ skipped: { paused: 2 } });
    expect(await finishAll(s.env)).toBe(2); // b's two runs only

    await resumeSchedule(ctx, a.id, { by: "ops@host" });
    expect((await readPauses(t.redis, t.keys, [a.id]))[0]).toBeUndefined();
    s.clock.set("2026-01-07T10:02:40Z");
    await s.scheduler.tick();
    expect(await take(s.env)).toBeUndefined(); // the paused slots are not caught up
    expect(await fireAt(s, "2026-01-07T10:03:00Z", a.id)).toMatchObject({ outcome: "enqueued" });
    await finishAll(s.env);
  });

  it("an ambiguous or unknown TASK is refused with the ids to pick from, and nothing is written", async () => {
    const a = task("twice");
    const b = { ...task("twice"), id: "daily|app.tasks.twice", event: "daily", expression: "0 0 * * *" };
    const ctx = { redis: t.redis, keys: t.keys, clock: () => 0, tasks: [a, b] };
    await expect(pauseSchedule(ctx, "app.tasks.twice", { by: "x" })).rejects.toMatchObject({
      message: '"app.tasks.twice" is scheduled 2 times',
      hint: 'name one task id: "cron|* * * * *|app.tasks.twice", "daily|app.tasks.twice"',
    });
    await expect(pauseSchedule(ctx, "app.tasks.nope", { by: "x" })).rejects.toThrow(/no scheduled task "app.tasks.nope"/);
    expect(await readPauses(t.redis, t.keys, [a.id, b.id])).toEqual([undefined, undefined]);
  });
});

describe("overlap policies", () => {
  const gap = async (name: string, overlap: ScheduledTask["overlap"]) => {
    const a = task(name, { overlap }, { all: true, window: "1h" });
    const s = setup("2026-01-08T10:00:30Z", [a]);
    await s.scheduler.tick();
    return { a, s };
  };

  it("skip: a catch-up batch of 7 slots is enqueued whole (its slots do not overlap each other)", async () => {
    const { a, s } = await gap("batch-skip", "skip");
    s.clock.set("2026-01-08T10:07:05Z");
    await s.scheduler.tick();
    const ledger = await readLedger(t.redis, t.keys, a.id);
    expect(ledger.filter((e) => e.outcome === "enqueued")).toHaveLength(7);
    // the next slot while the batch is still queued: skipped, the batch as one live run
    expect(await fireAt(s, "2026-01-08T10:08:00Z", a.id)).toMatchObject({ outcome: "skipped", reason: "overlap" });
    expect(await finishAll(s.env)).toBe(7);
    expect((await readCounters(t.redis, t.keys, [a.id], () => a.queue))[0]).toMatchObject({ fired: 7, caughtUp: 6, skipped: { overlap: 1 } });
  });

  it("bufferAll: every run waits for the one before it, batch included", async () => {
    const { a, s } = await gap("buffer-all", "bufferAll");
    s.clock.set("2026-01-08T10:03:05Z");
    await s.scheduler.tick();
    await fireAt(s, "2026-01-08T10:04:00Z", a.id);
    const ids = (await readLedger(t.redis, t.keys, a.id)).filter((e) => e.outcome === "enqueued").map((e) => e.jobId!).reverse();
    expect(ids).toHaveLength(4);
    const jobs = await Promise.all(ids.map((id) => getJobWith(s.env, id)));
    expect(jobs.map((j) => j!.status)).toEqual(["queued", "deferred", "deferred", "deferred"]);
    expect(jobs.slice(1).map((j) => j!.dependsOn)).toEqual([[ids[0]], [ids[1]], [ids[2]]]);
    // they run one after another, in slot order, each released when the one before ends
    const order: string[] = [];
    for (let job = await take(s.env); job; job = await take(s.env)) {
      order.push(job.id);
      expect(await take(s.env)).toBeUndefined();
      await complete(s.env, job);
    }
    expect(order).toEqual(ids);
  });

  it("bufferOne: one run waits behind the running one; a slot that finds one waiting is skipped", async () => {
    const a = task("buffer-one", { overlap: "bufferOne" });
    const s = setup("2026-01-08T11:00:30Z", [a]);
    await s.scheduler.tick();
    await fireAt(s, "2026-01-08T11:01:00Z", a.id);
    const running = (await take(s.env))!;
    expect(await fireAt(s, "2026-01-08T11:02:00Z", a.id)).toMatchObject({ outcome: "enqueued" });
    expect(await fireAt(s, "2026-01-08T11:03:00Z", a.id)).toMatchObject({ outcome: "skipped", reason: "overlap" });
    expect(await take(s.env)).toBeUndefined(); // the buffered one waits
    await complete(s.env, running);
    expect(await finishAll(s.env)).toBe(1);
  });

  it("allow runs regardless; cancelOther cancels the live run first", async () => {
    const a = task("allow-all", { overlap: "allow" });
    const c = task("cancel-other", { overlap: "cancelOther" });
    const s = setup("2026-01-08T12:00:30Z", [a, c]);
    await s.scheduler.tick();
    await fireAt(s, "2026-01-08T12:01:00Z", a.id);
    const [firstC] = await readLedger(t.redis, t.keys, c.id, 1);
    await fireAt(s, "2026-01-08T12:02:00Z", a.id);
    expect((await readLedger(t.redis, t.keys, a.id)).filter((e) => e.outcome === "enqueued")).toHaveLength(2);
    const [secondC] = await readLedger(t.redis, t.keys, c.id, 1);
    expect(secondC).toMatchObject({ outcome: "enqueued" });
    expect((await getJobWith(s.env, firstC!.jobId!))!.status).toBe("canceled");
    expect((await getJobWith(s.env, secondC!.jobId!))!.status).toBe("queued");
    expect(await finishAll(s.env)).toBe(3);
  });
});

describe("except", () => {
  it("an excluded slot is not run, and is recorded as skipped(excluded) with the rule", async () => {
    const a = task("holiday", { except: ["2026-12-25", "30-59 * * * *"] });
    const s = setup("2026-12-24T22:28:30Z", [a]);
    await s.scheduler.tick();
    expect(await fireAt(s, "2026-12-24T22:29:00Z", a.id)).toMatchObject({ outcome: "enqueued" });
    await finishAll(s.env);
    expect(await fireAt(s, "2026-12-25T00:00:00Z", a.id)).toMatchObject({ outcome: "skipped", reason: "excluded", detail: "2026-12-25" });
    expect(await fireAt(s, "2026-12-26T10:29:00Z", a.id)).toMatchObject({ outcome: "enqueued" });
    await finishAll(s.env);
    expect(await fireAt(s, "2026-12-26T10:30:00Z", a.id)).toMatchObject({ outcome: "skipped", reason: "excluded", detail: "30-59 * * * *" });
    expect(await take(s.env)).toBeUndefined();
    const [c] = await readCounters(t.redis, t.keys, [a.id], () => a.queue);
    expect(c).toMatchObject({ fired: 2, skipped: { excluded: 2 }, missed: expect.any(Number) });
    await finishAll(s.env);
  });
});

describe("deadline", () => {
  it("a slot not finished by slot+deadline is reported once (event, notifier, open record); a later success closes it", async () => {
    const a = task("watched", { deadlineMs: 120_000 });
    const misses: DeadlineMiss[] = [];
    const s = setup("2026-01-09T10:00:30Z", [a], (m) => void misses.push(m));
    await s.scheduler.tick();
    // 10:01 runs and finishes in time
    await fireAt(s, "2026-01-09T10:01:00Z", a.id);
    await finishAll(s.env);
    // 10:02 is enqueued but never finished; the clock passes its deadline (10:04) twice
    await fireAt(s, "2026-01-09T10:02:00Z", a.id);
    await fireAt(s, "2026-01-09T10:03:00Z", a.id); // overlap skip: 10:02's job still queued
    s.clock.set("2026-01-09T10:04:01Z");
    await s.scheduler.tick();
    await s.scheduler.tick();
    expect(misses.map((m) => new Date(m.slot).toISOString())).toEqual(["2026-01-09T10:02:00.000Z"]);
    const open = await t.redis.hget(scheduleKeys(t.keys).deadline(), a.id);
    expect(JSON.parse(open!)).toMatchObject({ slot: Date.parse("2026-01-09T10:02:00Z") });
    const events = await t.redis.xrange(t.keys.events(), "-", "+");
    expect(events.filter(([, f]) => f[1]!.includes("schedule.deadline_missed"))).toHaveLength(1);
    // a second scheduler (another daemon) settles nothing twice
    const other = createScheduler({ env: s.env, tasks: [a], timezone: "UTC", clock: s.clock, onDeadlineMissed: (m) => void misses.push(m) });
    await other.tick();
    expect(misses).toHaveLength(1);

    await finishAll(s.env); // the 10:02 run ends late
    await fireAt(s, "2026-01-09T10:05:00Z", a.id);
    await finishAll(s.env);
    expect(await t.redis.hget(scheduleKeys(t.keys).deadline(), a.id)).toBeNull();
    expect((await readCounters(t.redis, t.keys, [a.id], () => a.queue))[0]).toMatchObject({ deadlineMissed: expect.any(Number) });
    expect((await readCounters(t.redis, t.keys, [a.id], () => a.queue))[0]!.deadlineMissed).toBeGreaterThanOrEqual(1);
  });
});

describe("backfill through the slot record, and what currentJob() says", () => {
  it("backfill enqueues the missed slots once, never a slot that ran; jobs say backfill, catch-up or schedule", async () => {
    const a = task("backfilled", { overlap: "allow" }, { all: true, window: "1h" });
    const s = setup("2026-01-10T10:00:30Z", [a]);
    await s.scheduler.tick();
    await fireAt(s, "2026-01-10T10:01:00Z", a.id); // on time
    s.clock.set("2026-01-10T10:03:30Z");
    await s.scheduler.tick(); // 10:02 and 10:03 as catch-up
    const seen: Array<[number | undefined, string | undefined]> = [];
    const runAll = async () => {
      for (let job = await take(s.env); job; job = await take(s.env)) {
        await runInJobContext(job, s.env, () => void seen.push([currentJob()?.scheduledFor, currentJob()?.trigger]));
        await complete(s.env, job);
      }
    };
    await runAll();
    const ms = (iso: string) => Date.parse(iso);
    expect(seen).toEqual([
      [ms("2026-01-10T10:01:00Z"), "schedule"],
      [ms("2026-01-10T10:02:00Z"), "catchup"],
      [ms("2026-01-10T10:03:00Z"), "catchup"],
    ]);
    const ctx = { env: s.env, tasks: [a], zone: "UTC" };
    const r = await backfill(ctx, a.method, { from: ms("2026-01-10T09:58:00Z"), to: ms("2026-01-10T10:03:00Z") });
    expect(r.slots.map((x) => x.outcome)).toEqual(["enqueued", "enqueued", "enqueued", "already-run", "already-run", "already-run"]);
    const again = await backfill(ctx, a.method, { from: ms("2026-01-10T09:58:00Z"), to: ms("2026-01-10T10:03:00Z"), dryRun: true });
    expect(again.slots.every((x) => x.outcome === "already-run")).toBe(true);
    seen.length = 0;
    await runAll();
    expect(seen).toEqual([
      [ms("2026-01-10T09:58:00Z"), "backfill"],
      [ms("2026-01-10T09:59:00Z"), "backfill"],
      [ms("2026-01-10T10:00:00Z"), "backfill"],
    ]);
    // normal firing goes on from its own record: nothing doubled, the next slot runs
    expect(await fireAt(s, "2026-01-10T10:04:00Z", a.id)).toMatchObject({ outcome: "enqueued" });
    expect(await finishAll(s.env)).toBe(1);
    expect((await readCounters(t.redis, t.keys, [a.id], () => a.queue))[0]).toMatchObject({ fired: 7, backfilled: 3, caughtUp: 2 });
  });
});
