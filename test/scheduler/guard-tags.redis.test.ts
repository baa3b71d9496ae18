/**
 * The scheduler's enqueue guard on the enqueued job's tag (issue 17): in the keys' "queue" layout
 * a scheduled enqueue records its slot, last job, runs and counters on its queue's tag, in the
 * same enqueue.lua call as the job; the fence there only rises; the readers (`scheduler list`,
 * `why`, the tick, failover) merge each task's tag records with the installation's; a skip is
 * recorded there too (skips.ts), the takeover reads it, and a grant is numbered above the tags'
 * fences. Runs on one Redis and on the cluster ("on-cluster" project), where the two queues are
 * on different masters.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeys, type Keys } from "../../src/redis/keys.js";
import { scheduleKeys } from "../../src/redis/schedule-keys.js";
import { enqueueScheduled, type ScheduledEnqueueInput } from "../../src/queue/enqueue-scheduled.js";
import { setActiveContext, type QueueEnv } from "../../src/queue/context.js";
import { readScheduleReadings } from "../../src/ops/schedule-rows.js";
import { readCounters } from "../../src/scheduler/counters.js";
import { allLastSlots, readLastSlots } from "../../src/scheduler/guard-records.js";
import { readLedger, recordSkip, type LedgerEntry } from "../../src/scheduler/ledger.js";
import { writeSkips } from "../../src/scheduler/skips.js";
import { createLeaderLease } from "../../src/scheduler/leader.js";
import { runScript } from "../../src/redis/scripts.js";
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

const paused = (slot: number): LedgerEntry => ({ slot, at: slot, outcome: "skipped", reason: "paused", catchup: false });
const skipOf = (id: string, queue: string, slot: number) => ({ task: { id, queue }, slot, entry: paused(slot) });
const skippedEvents = async (task: string) =>
  (await env.redis.xrange(keys.events(), "-", "+")).map(([, f]) => JSON.parse(f[1]!) as { type: string; task?: string }).filter((e) => e.type === "job.skipped" && e.task === task);

describe("skips on the queue's tag", () => {
  it("records the skip's slot on the queue's tag, its ledger entry, counters and event on the installation's", async () => {
    expect(await writeSkips(env.redis, keys, { skips: [skipOf("skip-a", A, T0)], baselines: [{ task: { id: "base-b", queue: B }, slot: T0 }] })).toBe(false);
    expect(await env.redis.hget(keys.lastSlots(keys.jobTag(A)), "skip-a")).toBe(String(T0));
    expect(await env.redis.hget(keys.lastSlots(keys.jobTag(B)), "base-b")).toBe(String(T0));
    expect(await env.redis.hmget(keys.lastSlots(), "skip-a", "base-b")).toEqual([null, null]);
    expect((await readLedger(env.redis, keys, "skip-a")).map((e) => e.reason)).toEqual(["paused"]);
    expect(await env.redis.hget(scheduleKeys(keys).stats("skip-a"), "skipped:paused")).toBe("1");
    expect(await skippedEvents("skip-a")).toHaveLength(1);
    // one record with the guard: the skipped slot is not enqueued, an enqueued slot not skipped
    expect((await fire("skip-a", A, T0)).outcome).toBe("slot-taken");
    expect((await fire("skip-a", A, T0 + MIN)).outcome).toBe("enqueued");
    expect(await writeSkips(env.redis, keys, { skips: [skipOf("skip-a", A, T0 + MIN)] })).toBe(false);
    expect(await readLedger(env.redis, keys, "skip-a")).toHaveLength(1);
    expect(await env.redis.hget(scheduleKeys(keys).stats("skip-a"), "skipped:paused")).toBe("1");
  });

  it("a skip and an enqueue of one slot by two daemons that both lead: one of them records it", async () => {
    await raiseTagFences(env.redis, keys, [A], 30);
    for (let i = 0; i < 5; i++) {
      const slot = T0 + i * MIN;
      const [refused, enqueue] = await Promise.all([writeSkips(env.redis, keys, { skips: [skipOf("race", A, slot)], fence: 30 }), fire("race", A, slot, { fence: 30, overlap: "allow" })]);
      expect(refused).toBe(false);
      const skippedThis = (await readLedger(env.redis, keys, "race")).some((e) => e.slot === slot);
      expect(enqueue.outcome === "enqueued").toBe(!skippedThis);
      expect(await env.redis.hget(keys.lastSlots(keys.jobTag(A)), "race")).toBe(String(slot));
    }
  });

  it("is fenced against the tag's number like the guard's enqueue", async () => {
    await raiseTagFences(env.redis, keys, [B], 40);
    expect(await writeSkips(env.redis, keys, { skips: [skipOf("skip-f", B, T0)], fence: 39 })).toBe(true);
    expect(await env.redis.hget(keys.lastSlots(keys.jobTag(B)), "skip-f")).toBeNull();
    expect(await readLedger(env.redis, keys, "skip-f")).toEqual([]);
    expect(await writeSkips(env.redis, keys, { skips: [skipOf("skip-f", B, T0)], fence: 41 })).toBe(false);
    expect(await env.redis.hget(keys.schedulerFence(keys.jobTag(B)), "n")).toBe("41");
    expect((await readLedger(env.redis, keys, "skip-f")).map((e) => e.slot)).toEqual([T0]);
  });

  it("a crash between its two calls leaves the slot handled, without its entry (never fired or skipped again)", async () => {
    // the first call alone: the daemon died before the entry on the installation's tag
    expect(await runScript(env.redis, "scheduler_skip_tag", [keys.lastSlots(keys.jobTag(A)), keys.schedulerFence(keys.jobTag(A))], ["torn", T0, ""])).toBe(1);
    expect(await readLastSlots(env.redis, keys, [taskOn("torn", A)])).toEqual([String(T0)]);
    expect((await fire("torn", A, T0)).outcome).toBe("slot-taken");
    expect(await writeSkips(env.redis, keys, { skips: [skipOf("torn", A, T0)] })).toBe(false);
    expect(await readLedger(env.redis, keys, "torn")).toEqual([]);
    expect(await skippedEvents("torn")).toEqual([]);
  });
});

describe("the leader lease and the queues' tags", () => {
  const clock = manualClock("2026-03-02T10:00:00.200Z");
  const lease = (onGrant?: (n: number) => Promise<boolean>) => createLeaderLease({ redis: env.redis, keys, clock, ttlMs: 3_600_000, ...(onGrant ? { onGrant } : {}) });

  it("takes over only for a slot unrecorded on its queue's tag too", async () => {
    await env.redis.del(keys.schedulerLeader());
    // no tick since the slot (the script's other evidence): only the slot record can tell
    await env.redis.hdel(keys.schedulerState(), "lastTick");
    const leader = lease();
    expect(await leader.tryAcquire()).toBe(true);
    // the leader enqueued the slot on A's tag; nothing of it on the installation's
    expect((await fire("watched", A, T0, { overlap: "allow" })).outcome).toBe("enqueued");
    expect(await env.redis.hget(keys.lastSlots(), "watched")).toBeNull();
    const follower = lease();
    expect(await follower.takeOver({ id: "watched", queue: A }, T0, 0)).toBe(false);
    expect(await env.redis.get(keys.schedulerLeader())).toBe(leader.token);
    // the next slot is unrecorded everywhere: the evidence holds
    expect(await follower.takeOver({ id: "watched", queue: A }, T0 + MIN, 0)).toBe(true);
    expect(follower.fence()).toBeGreaterThan(leader.fence());
  });

  it("a grant is numbered above the tags' fences (a failover of {prefix} lost the latest grants): the new leader leads and fires", async () => {
    const tasks = [cronTask("floor-a", "* * * * *", { queue: A, overlap: "allow" }), cronTask("floor-b", "* * * * *", { queue: B, overlap: "allow" })];
    const on = { ...env, clock };
    const first = createScheduler({ env: on, tasks, timezone: "UTC", clock, leaseMs: 3_600_000 });
    await env.redis.del(keys.schedulerLeader());
    expect(await first.lease.tryAcquire()).toBe(true);
    await first.lease.release();
    // grants the installation's master lost: a queue tag holds numbers the lease never reached
    const lost = first.lease.fence() + 5;
    await env.redis.hset(keys.schedulerFence(keys.jobTag(B)), "n", lost);
    const next = createScheduler({ env: on, tasks, timezone: "UTC", clock, leaseMs: 3_600_000 });
    expect(await next.lease.tryAcquire()).toBe(true);
    expect(next.lease.isLeader()).toBe(true);
    expect(next.lease.fence()).toBe(lost + 1);
    expect(await env.redis.hget(keys.schedulerFence(), "n")).toBe(String(lost + 1));
    await next.tick(); // the baselines
    clock.set("2026-03-02T10:01:00.100Z");
    const before = await Promise.all([A, B].map((q) => env.redis.llen(keys.queue(q))));
    await next.tick();
    expect(next.lease.isLeader()).toBe(true);
    expect(await Promise.all([A, B].map((q) => env.redis.llen(keys.queue(q))))).toEqual(before.map((n) => n + 1));
    // the takeover too: the tags' numbers raised by hand again, the next grant above them
    await env.redis.hset(keys.schedulerFence(keys.jobTag(A)), "n", lost + 10);
    const taker = createScheduler({ env: on, tasks, timezone: "UTC", clock, leaseMs: 3_600_000 });
    clock.set("2026-03-02T10:02:00.100Z");
    expect(await taker.lease.takeOver(tasks[0]!, Date.parse("2026-03-02T10:02:00Z"), 0)).toBe(true);
    expect(taker.lease.fence()).toBe(lost + 11);
    await Promise.all([first.stop(), next.stop(), taker.stop()]);
  });

  it("a grant a queue's tag refuses gives the key back: the next try is a new number", async () => {
    await env.redis.del(keys.schedulerLeader());
    let refuse = true;
    const l = lease(async () => !refuse);
    expect(await l.tryAcquire()).toBe(false);
    expect(await env.redis.get(keys.schedulerLeader())).toBeNull();
    const refused = Number(await env.redis.hget(keys.schedulerFence(), "n"));
    refuse = false;
    expect(await l.tryAcquire()).toBe(true);
    expect(l.fence()).toBe(refused + 1);
    await l.release();
  });
});
