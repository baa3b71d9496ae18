/**
 * The scheduler's enqueue guard on the enqueued job's tag (issue 17): in the keys' "queue" layout
 * a scheduled enqueue records its slot, last job, runs and counters on its queue's tag, in the
 * same enqueue.lua call as the job; the fence there only rises; the readers (`scheduler list`,
 * `why`, the tick, failover) merge each task's tag records with the installation's. Runs on one
 * Redis and on the cluster ("on-cluster" project), where the two queues are on different masters.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeys, type Keys } from "../../src/redis/keys.js";
import { scheduleKeys } from "../../src/redis/schedule-keys.js";
import { enqueueScheduled, type ScheduledEnqueueInput } from "../../src/queue/enqueue-scheduled.js";
import { setActiveContext, type QueueEnv } from "../../src/queue/context.js";
import { readScheduleReadings } from "../../src/ops/schedule-rows.js";
import { readCounters } from "../../src/scheduler/counters.js";
import { allLastSlots, readLastSlots } from "../../src/scheduler/guard-records.js";
import { recordSkip } from "../../src/scheduler/ledger.js";
import { raiseTagFences } from "../../src/scheduler/tag-fences.js";
import type { ScheduledTask } from "../../src/hooks/types.js";
import { manualClock } from "../../src/base/clock.js";
import { createScheduler } from "../../src/scheduler/scheduler.js";
import { cronTask } from "../helpers/scheduled-task.js";
import { masterOf, queuesOnDistinctMasters } from "../helpers/distinct-masters.js";
import { ON_TOPOLOGY } from "../helpers/redis.js";
import { queueFixture, T0, type QueueFixture } from "../queue/helpers.js";

const METHOD = "app.tasks.noop";
const Q = { timeout: 60, workers: 1, concurrency: 1 };
const MIN = 60_000;
let f: QueueFixture;
let keys: Keys;
let env: QueueEnv;
/** Two queues whose tags are on two different masters on the cluster. */
let A: string, B: string;

beforeAll(async () => {
  f = await queueFixture("guard-tags", { [METHOD]: () => "ok" });
  keys = createKeys(f.t.prefix, { jobTags: "queue" });
  [A, B] = (await queuesOnDistinctMasters(f.env.redis, keys, 2)) as [string, string];
  env = { ...f.env, keys, queues: { ...f.env.queues, [A]: Q, [B]: Q } };
  setActiveContext(env);
});
afterAll(() => f.t.cleanup());

const fire = (task: string, queue: string, slot: number, o: Partial<ScheduledEnqueueInput> = {}) =>
  enqueueScheduled(env, { task, slot, method: METHOD, queue, kwargs: {}, catchup: false, ...o });
const taskOn = (id: string, queue: string) => ({ id, queue, method: METHOD, event: "cron", expression: "* * * * *" }) as unknown as ScheduledTask;

describe("the enqueue guard per queue tag", () => {
  it("puts the queues on different masters (on the cluster)", async () => {
    if (ON_TOPOLOGY) expect(await masterOf(env.redis, keys.queue(A))).not.toBe(await masterOf(env.redis, keys.queue(B)));
    expect(keys.jobTag(A)).not.toBe(keys.jobTag(B));
  });

  it("names the installation's keys on the installation layout (no move, no migration)", () => {
    const k = createKeys("p");
    const tag = k.jobTag("any");
    expect([k.lastSlots(tag), k.lastJobs(tag), k.schedulerFence(tag)]).toEqual([k.lastSlots(), k.lastJobs(), k.schedulerFence()]);
    expect([k.lastSlots(), k.lastJobs(), k.schedulerFence()]).toEqual(["{p}:scheduler:last-slots", "{p}:scheduler:last-jobs", "{p}:scheduler:fence"]);
    expect([scheduleKeys(k).stats("t", tag), scheduleKeys(k).runs("t", tag)]).toEqual(["{p}:schedule-stats:t", "{p}:schedule-runs:t"]);
  });

  it("enqueues a (task, slot) once across two concurrent callers, recording it on the queue's tag", async () => {
    const slot = T0;
    const results = await Promise.all([fire("once", A, slot), fire("once", A, slot)]);
    expect(results.map((r) => r.outcome).sort()).toEqual(["enqueued", "slot-taken"]);
    const job = results.find((r) => r.outcome === "enqueued") as { job: { id: string } };
    expect(await env.redis.lrange(keys.queue(A), 0, -1)).toEqual([job.job.id]);
    expect(await env.redis.hget(keys.lastSlots(keys.jobTag(A)), "once")).toBe(String(slot));
    expect(await env.redis.hget(keys.lastJobs(keys.jobTag(A)), "once")).toBe(job.job.id);
    expect(await env.redis.zscore(scheduleKeys(keys).runs("once", keys.jobTag(A)), String(slot))).toBe(String(slot));
    // nothing of the guard on the installation's tag
    expect(await env.redis.hget(keys.lastSlots(), "once")).toBeNull();
    expect(await env.redis.exists(scheduleKeys(keys).stats("once"))).toBe(0);
  });

  it("refuses a stale fence on a queue tag, and raises the tag's fence on a newer one", async () => {
    const fenceB = keys.schedulerFence(keys.jobTag(B));
    expect((await fire("fenced", B, T0, { fence: 5 })).outcome).toBe("enqueued");
    expect(await env.redis.hget(fenceB, "n")).toBe("5");
    const before = await env.redis.llen(keys.queue(B));
    expect((await fire("fenced", B, T0 + MIN, { fence: 4 })).outcome).toBe("fenced");
    expect(await env.redis.llen(keys.queue(B))).toBe(before);
    expect(await env.redis.hget(keys.lastSlots(keys.jobTag(B)), "fenced")).toBe(String(T0));
    expect((await fire("fenced", B, T0 + MIN, { fence: 6, overlap: "allow" })).outcome).toBe("enqueued");
    expect(await env.redis.hget(fenceB, "n")).toBe("6");
  });

  it("keeps a stale leader from firing on a tag it never saw a newer number on, once the new leader raised it", async () => {
    // the new leader (lease 9) takes the lead and writes its number to every queue tag it serves
    expect(await raiseTagFences(env.redis, keys, [A, B], 9)).toBe(true);
    expect(await env.redis.hget(keys.schedulerFence(keys.jobTag(A)), "n")).toBe("9");
    // the old leader (lease 8) never enqueued on A: refused there all the same
    expect((await fire("stale", A, T0, { fence: 8 })).outcome).toBe("fenced");
    // and a raise with a lower number tells its caller that its lease is stale
    expect(await raiseTagFences(env.redis, keys, [A], 8)).toBe(false);
    expect(await env.redis.hget(keys.schedulerFence(keys.jobTag(A)), "n")).toBe("9");
  });

  it("skips a slot while the task's last job is live (overlap 'skip'), per queue tag", async () => {
    const first = await fire("ovl", A, T0);
    expect(first.outcome).toBe("enqueued");
    const id = (first as { job: { id: string } }).job.id;
    // the same task id on another queue has its own records there: not held back by A's job
    expect((await fire("ovl-b", B, T0)).outcome).toBe("enqueued");
    const second = await fire("ovl", A, T0 + MIN);
    expect(second).toEqual({ outcome: "overlap", runningJobId: id });
    expect(await env.redis.hget(keys.lastSlots(keys.jobTag(A)), "ovl")).toBe(String(T0 + MIN));
    expect(await env.redis.hget(scheduleKeys(keys).stats("ovl", keys.jobTag(A)), "skipped:overlap")).toBe("1");
  });

  it("lets the readers (list, why, the tick) see the slots of tasks on different queues", async () => {
    expect((await fire("read-a", A, T0)).outcome).toBe("enqueued");
    expect((await fire("read-b", B, T0 + MIN)).outcome).toBe("enqueued");
    const tasks = [taskOn("read-a", A), taskOn("read-b", B), taskOn("read-none", A)];
    const rows = await readScheduleReadings(env.redis, keys, tasks, 5);
    expect(rows.map((r) => r.lastSlot)).toEqual([T0, T0 + MIN, undefined]);
    const queueOf = (id: string) => tasks.find((t) => t.id === id)?.queue;
    const counters = await readCounters(env.redis, keys, tasks.map((t) => t.id), queueOf);
    expect(counters.map((c) => c.fired)).toEqual([1, 1, 0]);
    // a skip the scheduler records on the installation's tag, newer than the enqueue: the newer wins
    await recordSkip(env.redis, keys, "read-a", T0 + 5 * MIN, { slot: T0 + 5 * MIN, at: T0 + 5 * MIN, outcome: "skipped", reason: "paused", catchup: false });
    expect(await readLastSlots(env.redis, keys, tasks)).toEqual([String(T0 + 5 * MIN), String(T0 + MIN), null]);
    // the metrics' figures: the installation's hash (read by the caller) with each queue tag's
    const figures = await allLastSlots(env.redis, keys, (await env.redis.hgetall(keys.lastSlots())) as Record<string, string>, [A, B]);
    expect([figures.get("read-a"), figures.get("read-b"), figures.get("read-none")]).toEqual([T0 + 5 * MIN, T0 + MIN, undefined]);
    const why = await readCounters(env.redis, keys, ["read-a"], queueOf);
    expect(why[0]).toMatchObject({ fired: 1, skipped: { paused: 1 } });
  });

  it("a new leader writes its number to every queue tag it serves before it leads: the old one's tick is refused there", async () => {
    const clock = manualClock("2026-03-02T10:00:00.200Z");
    const on = { ...env, clock };
    // overlap "allow": the 10:01 jobs stay queued (no worker here) without holding 10:02 back
    const tasks = [cronTask("lead-a", "* * * * *", { queue: A, overlap: "allow" }), cronTask("lead-b", "* * * * *", { queue: B, overlap: "allow" })];
    // the tests above wrote lease numbers of their own to the tags: start from none
    for (const q of [A, B]) await env.redis.del(keys.schedulerFence(keys.jobTag(q)));
    const old = createScheduler({ env: on, tasks, timezone: "UTC", clock, leaseMs: 3_600_000 });
    const next = createScheduler({ env: on, tasks, timezone: "UTC", clock, leaseMs: 3_600_000 });
    expect(await old.lease.tryAcquire()).toBe(true);
    await old.tick(); // the baselines
    clock.set("2026-03-02T10:01:00.100Z");
    await old.tick(); // fires 10:01 on A and B with its number
    for (const q of [A, B]) expect(await env.redis.hget(keys.schedulerFence(keys.jobTag(q)), "n")).toBe(String(old.lease.fence()));
    // the lease passes on (the old one froze past it): the new leader's grant raises both tags
    await env.redis.del(keys.schedulerLeader());
    expect(await next.lease.tryAcquire()).toBe(true);
    for (const q of [A, B]) expect(await env.redis.hget(keys.schedulerFence(keys.jobTag(q)), "n")).toBe(String(next.lease.fence()));
    clock.set("2026-03-02T10:02:00.100Z");
    const before = await Promise.all([A, B].map((q) => env.redis.llen(keys.queue(q))));
    expect(old.lease.isLeader()).toBe(true);
    await old.tick();
    expect(old.lease.isLeader()).toBe(false);
    expect(await Promise.all([A, B].map((q) => env.redis.llen(keys.queue(q))))).toEqual(before);
    await next.tick();
    expect(await Promise.all([A, B].map((q) => env.redis.llen(keys.queue(q))))).toEqual(before.map((n) => n + 1));
    await Promise.all([old.stop(), next.stop()]);
  });
});
