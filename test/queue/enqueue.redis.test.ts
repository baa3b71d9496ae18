import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EnqueueError } from "../../src/base/errors.js";
import { processState } from "../../src/base/process-state.js";
import { currentJob } from "../../src/runtime/job-context.js";
import { enqueue } from "../../src/queue/enqueue.js";
import { completeJob, dequeue, failJob, promoteScheduled } from "../../src/queue/lifecycle.js";
import { cancel, getJob, getJobAttempts } from "../../src/queue/registry.js";
import { setActiveContext } from "../../src/queue/context.js";
import { placesOf, queueFixture, T0, type QueueFixture } from "./helpers.js";

const seen: unknown[] = [];
async function send_notification(kwargs: Record<string, unknown>) {
  seen.push({ kwargs, job: currentJob()?.id });
  return { sent: kwargs.user };
}
const tasks = {
  "my_app.tasks.send_notification": send_notification,
  "my_app.tasks.process_data": () => "done",
};

let f: QueueFixture;
beforeAll(async () => {
  f = await queueFixture("enqueue", tasks);
});
beforeEach(() => setActiveContext(f.env));
afterAll(() => f.t.cleanup());

const take = (queue = "default", worker = "w") => dequeue(f.env, { queues: [queue], worker, leaseMs: 60_000 });

async function expectRefused(run: () => Promise<unknown>, code: string, text: string) {
  const before = await f.t.keyCount();
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EnqueueError);
  expect((err as EnqueueError).code).toBe(code);
  expect((err as EnqueueError).message).toContain(text);
  expect(await f.t.keyCount()).toBe(before);
}

describe("enqueue", () => {
  it("writes a queued job with its kwargs, queue, timeout and display name (one Lua call)", async () => {
    const job = await enqueue("my_app.tasks.process_data", { queue: "long", job_name: "unique_name", data_id: "123", option: "value" });
    expect(job).toMatchObject({ queue: "long", status: "queued", jobName: "unique_name", timeout: 1500, kwargs: { data_id: "123", option: "value" } });
    const stored = await getJob(job.id);
    expect(stored).toMatchObject({ id: job.id, method: "my_app.tasks.process_data", status: "queued", jobName: "unique_name", enqueuedAt: T0 });
    expect(await f.env.redis.lrange(f.env.keys.queue("long"), 0, -1)).toContain(job.id);
    const events = await f.env.redis.xrange(f.env.keys.events(f.env.keys.jobTag("long")), "-", "+");
    expect(events.some(([, fl]) => fl[1]!.includes('"job.enqueued"') && fl[1]!.includes(job.id))).toBe(true);
  });

  it("takes an explicit timeout and a task function (by the registry's pathOf)", async () => {
    const job = await enqueue(send_notification, { timeout: 42, kwargs: { user: "a@b.c" } });
    expect(job.method).toBe("my_app.tasks.send_notification");
    expect((await getJob(job.id))?.timeout).toBe(42);
  });

  it("atFront puts the job at the head of the queue", async () => {
    await f.env.redis.del(f.env.keys.queue("short"));
    const a = await enqueue("my_app.tasks.process_data", { queue: "short" });
    const b = await enqueue("my_app.tasks.process_data", { queue: "short", at_front: true });
    expect(await f.env.redis.lrange(f.env.keys.queue("short"), 0, -1)).toEqual([b.id, a.id]);
  });

  it("atFront with a delay puts the job at the head when it is promoted", async () => {
    await f.env.redis.del(f.env.keys.queue("short"));
    const waiting = await enqueue("my_app.tasks.process_data", { queue: "short" });
    const later = await enqueue("my_app.tasks.process_data", { queue: "short", delay: 5, atFront: true });
    f.clock.set(T0 + 5000);
    expect(await promoteScheduled(f.env)).toBe(1);
    expect(await f.env.redis.lrange(f.env.keys.queue("short"), 0, -1)).toEqual([later.id, waiting.id]);
    f.clock.set(T0);
  });

  it("now / isAsync false runs in this process, inside a job context, and returns the result", async () => {
    const before = await f.t.keyCount();
    seen.length = 0;
    expect(await enqueue("my_app.tasks.send_notification", { now: true, user: "x" })).toEqual({ sent: "x" });
    expect(await enqueue(send_notification, { is_async: false, user: "y" })).toEqual({ sent: "y" });
    expect(seen).toHaveLength(2);
    expect((seen[0] as { job?: string }).job).toBeTruthy();
    expect(await f.t.keyCount()).toBe(before);
  });

  it("delay and at go to the scheduled registry; promoteScheduled moves them once when due", async () => {
    const d = await enqueue("my_app.tasks.process_data", { queue: "my_custom_queue", delay: "10m" });
    const a = await enqueue("my_app.tasks.process_data", { queue: "my_custom_queue", at: new Date(T0 + 30_000) });
    expect(d.status).toBe("scheduled");
    expect(await f.env.redis.zscore(f.env.keys.scheduled("my_custom_queue"), d.id)).toBe(String(T0 + 600_000));
    expect(await promoteScheduled(f.env)).toBe(0);
    f.clock.set(T0 + 30_000);
    expect(await promoteScheduled(f.env)).toBe(1);
    expect((await getJob(a.id))?.status).toBe("queued");
    f.clock.set(T0 + 600_000);
    // several daemons promoting at once: each job moves exactly once
    const counts = await Promise.all([promoteScheduled(f.env), promoteScheduled(f.env), promoteScheduled(f.env)]);
    expect(counts.reduce((x, y) => x + y, 0)).toBe(1);
    expect(await f.env.redis.lrange(f.env.keys.queue("my_custom_queue"), 0, -1)).toEqual([a.id, d.id]);
    f.clock.set(T0);
  });

  it("deduplicate with jobId returns the live job, flagged, without a second one", async () => {
    const first = await enqueue("my_app.tasks.process_data", { jobId: "report-1", deduplicate: true, n: 1 });
    const again = await enqueue("my_app.tasks.process_data", { jobId: "report-1", deduplicate: true, n: 2 });
    expect(first.deduplicated).toBeUndefined();
    expect(again).toMatchObject({ id: "report-1", deduplicated: true, status: "queued", kwargs: { n: 1 } });
    expect((await placesOf(f.env)).get("report-1")).toEqual(["queued:default"]);
  });

  it("reusing a live id without deduplicate is refused; a finished id is replaced (RQ)", async () => {
    await enqueue("my_app.tasks.process_data", { queue: "short", jobId: "once" });
    await expectRefused(() => enqueue("my_app.tasks.process_data", { jobId: "once" }), "JOB_ID_TAKEN", 'job id "once" is taken by a queued job');
    // finish it, then reuse the id on another queue: the old record leaves the finished registry
    await f.env.redis.del(f.env.keys.queue("short"));
    await f.env.redis.rpush(f.env.keys.queue("short"), "once");
    const got = await take("short");
    expect(await completeJob(f.env, { job: got!, worker: "w", result: 1 })).toBe("finished");
    expect(await getJobAttempts("once")).toHaveLength(1);
    const again = await enqueue("my_app.tasks.process_data", { queue: "long", jobId: "once" });
    expect(again.status).toBe("queued");
    expect((await placesOf(f.env)).get("once")).toEqual(["queued:long"]);
    expect(await getJobAttempts("once")).toEqual([]);
    expect(await f.env.redis.pttl(f.env.keys.job("once", f.env.keys.jobTag("long")))).toBe(-1);
  });

  it("records parentId when enqueued from inside a running job", async () => {
    const parent = await enqueue(async () => enqueue("my_app.tasks.process_data", {}), { now: true });
    const child = parent as { id: string; parentId?: string };
    expect(child.parentId).toBeTruthy();
    expect((await getJob(child.id))?.parentId).toBe(child.parentId);
  });

  it("uses processState().taskPaths for functions the task loader registered", async () => {
    const fn = () => 1;
    processState().taskPaths.set(fn, "my_app.tasks.process_data");
    const job = await enqueue(fn, {});
    expect(job.method).toBe("my_app.tasks.process_data");
  });
});

describe("enqueue refusals leave Redis untouched", () => {
  it("unknown dotted path", () =>
    expectRefused(() => enqueue("my_app.tasks.nope", {}), "UNKNOWN_TASK", 'my_app.tasks.nope does not resolve: my_app.tasks.nope: no export "nope"'));
  it("malformed method", () => expectRefused(() => enqueue("not a path", {}), "BAD_METHOD", "is not a dotted path"));
  it("a function that is not a task", () => expectRefused(() => enqueue(function stray() {}, {}), "UNKNOWN_TASK", "function stray is not a task"));
  it("unknown queue", () => expectRefused(() => enqueue("my_app.tasks.process_data", { queue: "huge" }), "UNKNOWN_QUEUE", 'unknown queue "huge"; configured: short, default, long'));
  it("zero or negative timeout", async () => {
    await expectRefused(() => enqueue("my_app.tasks.process_data", { timeout: 0 }), "BAD_TIMEOUT", "positive number of seconds");
    await expectRefused(() => enqueue("my_app.tasks.process_data", { timeout: -1 }), "BAD_TIMEOUT", "positive number of seconds");
  });
  it("kwargs that do not survive JSON, naming the key path", async () => {
    await expectRefused(() => enqueue("my_app.tasks.process_data", { items: [0, 1, 2, { when: new Date() }] }), "BAD_KWARGS", "kwargs.items[3].when: Date would arrive as a string; pass date.toISOString()");
    await expectRefused(() => enqueue("my_app.tasks.process_data", { kwargs: { big: 1n } }), "BAD_KWARGS", "kwargs.big: BigInt");
    await expectRefused(() => enqueue("my_app.tasks.process_data", { cb: () => 1 }), "BAD_KWARGS", "kwargs.cb: a function");
    await expectRefused(() => enqueue("my_app.tasks.process_data", { gone: undefined }), "BAD_KWARGS", "kwargs.gone: undefined");
    const cyc: Record<string, unknown> = {};
    cyc.me = cyc;
    await expectRefused(() => enqueue("my_app.tasks.process_data", { cyc }), "BAD_KWARGS", "kwargs.cyc.me: circular reference");
    await expectRefused(() => enqueue("my_app.tasks.process_data", { s: new Set([1]) }), "BAD_KWARGS", "kwargs.s: Set instance");
  });
  it("bad retry and delay", async () => {
    await expectRefused(() => enqueue("my_app.tasks.process_data", { retry: { max: -2 } }), "BAD_RETRY", "max must be");
    await expectRefused(() => enqueue("my_app.tasks.process_data", { delay: "tomorrow" }), "BAD_DELAY", 'delay "tomorrow" is not a duration');
  });
  it("not configured", async () => {
    setActiveContext(undefined);
    await expect(enqueue("my_app.tasks.process_data", {})).rejects.toThrow(
      "hooks-scheduler is not configured in this process: call configure({ redis }) or run inside `scheduler start`",
    );
  });
});

describe("cancel", () => {
  it("cancels queued and scheduled jobs; refuses started and ended ones", async () => {
    const q = await enqueue("my_app.tasks.process_data", { queue: "short" });
    const s = await enqueue("my_app.tasks.process_data", { queue: "short", delay: 60 });
    await cancel(q.id);
    await cancel(s.id);
    const places = await placesOf(f.env);
    expect(places.get(q.id)).toEqual(["canceled:short"]);
    expect(places.get(s.id)).toEqual(["canceled:short"]);
    expect((await getJob(q.id))?.status).toBe("canceled");
    await expect(cancel(q.id)).rejects.toThrow(`cancel: job "${q.id}" already ended (canceled)`);
    await expect(cancel("no-such")).rejects.toThrow('cancel: no job with id "no-such"');
    await f.env.redis.del(f.env.keys.queue("short"));
    const r = await enqueue("my_app.tasks.process_data", { queue: "short" });
    const got = await take("short");
    expect(got?.id).toBe(r.id);
    // a running job is only flagged: its worker stops it (test/worker/cancel.redis.test.ts)
    expect(await cancel(r.id)).toBe("stopping");
    expect(await f.env.redis.hexists(f.env.keys.job(r.id, f.env.keys.jobTag("short")), "cancelRequested")).toBe(1);
    expect(await failJob(f.env, { job: got!, worker: "w", error: new Error("x") })).toBe("failed");
  });
});
