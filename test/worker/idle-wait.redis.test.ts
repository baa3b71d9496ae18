/**
 * The idle wait that brings the job with the wake-up (lifecycle.ts waitAndDequeue,
 * dequeue_woken.lua, job-loop.ts waitAndTake): the dequeue is sent behind the BLPOP on the
 * blocking connection, so nothing is sent after the wake-up; the job's start time is not before
 * its enqueue; a loop stopped while it waits ends at once and leaves no job leased.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { waitAndDequeue } from "../../src/queue/lifecycle.js";
import type { Job } from "../../src/queue/types.js";
import type { QueueEnv } from "../../src/queue/context.js";
import { getJobAttempts } from "../../src/queue/registry.js";
import { JobLoop, STOPPED_BEFORE_RUN_REASON } from "../../src/worker/child/job-loop.js";
import { queueFixture, T0, type QueueFixture } from "../queue/helpers.js";
import { waitFor } from "../helpers/redis.js";
import { createKeys } from "../../src/redis/keys.js";

let f: QueueFixture;
let blocking: Redis;
let sent: string[] = [];

beforeAll(async () => {
  f = await queueFixture("idle-wait", { "app.tasks.work": () => 1 });
  for (const q of ["wake-one", "wake-none", "loop-run", "loop-stop", "loop-stop-hold"]) f.env.queues[q] = { timeout: 60, workers: 1, concurrency: 1 };
  blocking = f.t.redis.duplicate({ connectionName: "idle-wait-test:wait" });
  await blocking.ping();
  const original = blocking.sendCommand.bind(blocking);
  blocking.sendCommand = ((cmd: { name: string }) => {
    sent.push(cmd.name);
    return original(cmd as never);
  }) as typeof blocking.sendCommand;
});
afterAll(async () => {
  blocking.disconnect();
  await f.t.cleanup();
});

/** True once a client named `name` is blocked in BLPOP. */
async function blockedIn(name: string): Promise<boolean> {
  const list = (await f.t.redis.client("LIST")) as string;
  return list.split("\n").some((l) => l.includes(` name=${name} `) && / cmd=blpop /.test(l));
}

describe("waitAndDequeue", () => {
  it("the wake-up arrives with the job leased: nothing is sent after it; started at the enqueue, not at the wait's send", async () => {
    const queue = "wake-one";
    sent = [];
    // The waiter's clock says T0; the enqueue that wakes it runs 7 s later on its own clock.
    const waiting = waitAndDequeue(blocking, { ...f.env, clock: () => T0 }, { queues: [queue], worker: "w-idle", leaseMs: 30_000 }, 5);
    await waitFor(() => blockedIn("idle-wait-test:wait"), 5_000);
    expect(sent).toEqual(["blpop", "evalsha"]);
    const queued = (await enqueueWith({ ...f.env, clock: () => T0 + 7_000 }, "app.tasks.work", { queue })) as Job;
    const { woken, job } = await waiting;
    expect(sent).toEqual(["blpop", "evalsha"]);
    expect(woken).toBe(true);
    expect(job).toMatchObject({ id: queued.id, status: "started", worker: "w-idle", attempt: 1, startedAt: T0 + 7_000 });
    expect(Number(await f.env.redis.zscore(f.env.keys.started(queue), queued.id))).toBe(T0 + 7_000 + 30_000);
    // the wake marker is consumed: the next wait blocks
    expect(await f.env.redis.llen(f.env.keys.wake(queue))).toBe(0);
  });

  it("a wait that times out answers no job and leases nothing", async () => {
    const queue = "wake-none";
    const t = Date.now();
    expect(await waitAndDequeue(blocking, f.env, { queues: [queue], worker: "w-idle", leaseMs: 30_000 }, 0.2)).toEqual({ woken: false, job: null });
    expect(Date.now() - t).toBeGreaterThanOrEqual(150);
    expect(await f.env.redis.zcard(f.env.keys.started(queue))).toBe(0);
  });
});

/** A loop of one slot over `queues` that records the jobs it runs; a Redis error fails the test. */
function jobLoop(env: QueueEnv, blocking: Redis, queues: string[], ran: Job[]): JobLoop {
  return new JobLoop({
    env,
    blocking,
    worker: `w-${queues.join("-")}`,
    queues,
    strategy: "priority",
    concurrency: 1,
    leaseMs: 60_000,
    blockSeconds: 5,
    burst: false,
    onError: (err) => {
      throw err;
    },
    runJob: async (job) => {
      ran.push(job);
      return null;
    },
  });
}

describe("an idle JobLoop", () => {
  function loop(queue: string, ran: Job[]) {
    const name = `idle-wait-loop-${queue}:wait`;
    const wait = f.t.redis.duplicate({ connectionName: name });
    return { l: jobLoop(f.env, wait, [queue], ran), wait, name };
  }

  it("runs a job enqueued while it waits, then stops at once from its wait (blockSeconds 5)", async () => {
    const queue = "loop-run";
    const ran: Job[] = [];
    const { l, wait, name } = loop(queue, ran);
    try {
      const ended = l.run();
      await waitFor(() => blockedIn(name), 5_000);
      const job = (await enqueueWith(f.env, "app.tasks.work", { queue })) as Job;
      await waitFor(() => ran.length === 1, 5_000);
      expect(ran[0]!.id).toBe(job.id);
      await waitFor(() => blockedIn(name), 5_000);
      const t = Date.now();
      l.stop();
      expect(await ended).toBe("stopped");
      expect(Date.now() - t).toBeLessThan(2_000);
    } finally {
      wait.disconnect();
    }
  });

  it("a job its wait leases as it is stopped (queued without a wake marker) is given back, not left leased", async () => {
    const queue = "loop-stop";
    const ran: Job[] = [];
    const { l, wait, name } = loop(queue, ran);
    try {
      const ended = l.run();
      await waitFor(() => blockedIn(name), 5_000);
      // A job in the list without a wake marker (as when another worker's wake-up consumed it):
      // the blocked wait does not wake, but its dequeue runs when stop() ends the wait. Enqueued
      // on a queue nobody waits on, then moved over by hand.
      const job = (await enqueueWith(f.env, "app.tasks.work", { queue: "loop-stop-hold" })) as Job;
      // One MULTI per tag: on the per-queue layout the hash moves to the queue's tag with its id.
      const [from, to] = [f.env.keys.jobTag("loop-stop-hold"), f.env.keys.jobTag(queue)];
      const [[, hash]] = (await f.env.redis.multi().hgetall(f.env.keys.job(job.id, from)).del(f.env.keys.job(job.id, from)).lrem(f.env.keys.queue("loop-stop-hold"), 0, job.id).exec())! as [[unknown, Record<string, string>]];
      await f.env.redis.multi().hset(f.env.keys.job(job.id, to), { ...hash, queue }).rpush(f.env.keys.queue(queue), job.id).exec();
      expect(await blockedIn(name)).toBe(true);
      l.stop();
      expect(await ended).toBe("stopped");
      expect(ran).toEqual([]);
      expect(await f.env.redis.zcard(f.env.keys.started(queue))).toBe(0);
      expect(await f.env.redis.lrange(f.env.keys.queue(queue), 0, -1)).toEqual([job.id]);
      const attempts = await getJobAttempts(job.id, f.env);
      expect(attempts.map((a) => [a.outcome, a.reason])).toEqual([["requeued", STOPPED_BEFORE_RUN_REASON]]);
    } finally {
      wait.disconnect();
    }
  });
});

describe("an idle JobLoop over queues of two job tags (the keys' queue layout)", () => {
  /** How many clients named `name` are blocked in BLPOP. */
  async function blockedCount(name: string): Promise<number> {
    const list = (await f.t.redis.client("LIST")) as string;
    return list.split("\n").filter((l) => l.includes(` name=${name} `) && / cmd=blpop /.test(l)).length;
  }

  it("waits on each tag on a connection of its own, runs a job enqueued on either, and stops at once", async () => {
    const keys = createKeys(f.t.prefix, { jobTags: "queue" });
    const env = { ...f.env, keys, queues: { ...f.env.queues, "tag-a": { timeout: 60, workers: 1, concurrency: 1 }, "tag-b": { timeout: 60, workers: 1, concurrency: 1 } } };
    const name = "idle-wait-tags:wait";
    const wait = f.t.redis.duplicate({ connectionName: name });
    const ran: Job[] = [];
    const l = jobLoop(env, wait, ["tag-a", "tag-b"], ran);
    try {
      const ended = l.run();
      await waitFor(async () => (await blockedCount(name)) === 2, 5_000);
      const b = (await enqueueWith(env, "app.tasks.work", { queue: "tag-b" })) as Job;
      await waitFor(() => ran.length === 1, 5_000);
      expect(ran[0]!.id).toBe(b.id);
      // tag-a's wait was still out: the next round reuses it beside a new one on tag-b
      await waitFor(async () => (await blockedCount(name)) === 2, 5_000);
      const a = (await enqueueWith(env, "app.tasks.work", { queue: "tag-a" })) as Job;
      await waitFor(() => ran.length === 2, 5_000);
      expect(ran[1]!.id).toBe(a.id);
      const t = Date.now();
      l.stop();
      expect(await ended).toBe("stopped");
      expect(Date.now() - t).toBeLessThan(2_000);
      await waitFor(async () => (await blockedCount(name)) === 0, 5_000);
    } finally {
      wait.disconnect();
    }
  });
});
