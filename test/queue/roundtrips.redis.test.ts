/**
 * Redis round trips per job on the hot path, counted at the client: enqueue 1, dequeue 1,
 * complete 1 (follow-ups included), fail 1, heartbeat 1 for all of a worker's jobs. A round trip
 * is a wait for an answer: commands sent while another is still unanswered (the queues-set
 * SADD written just before the enqueue script, on the same connection) share its trip. With
 * each queue on its own tag (TEST_JOB_TAGS=queue) the SADD is answered before the script, once a
 * minute per queue and process (src/queue/listed-queues.ts): after the first enqueue to a queue
 * the script alone, one trip.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QueueEnv } from "../../src/queue/context.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { completeJob, dequeue, failJob, heartbeat, waitForJobs } from "../../src/queue/lifecycle.js";
import type { Job, PreparedJob } from "../../src/queue/types.js";
import { transaction } from "../../src/queue/transaction.js";
import { setActiveContext } from "../../src/queue/context.js";
import { runInJobContext } from "../../src/runtime/job-context.js";
import { preloadScripts } from "../../src/redis/scripts.js";
import { testConnection } from "../helpers/redis.js";
import { queueFixture, type QueueFixture } from "./helpers.js";

let f: QueueFixture;
let counted: Redis;
let sent: string[] = [];
let trips = 0;
let unanswered = 0;
let env: QueueEnv;

beforeAll(async () => {
  f = await queueFixture("roundtrips", { "my_app.tasks.t": () => 1 });
  await preloadScripts(f.env.redis, ["enqueue", "dequeue", "complete", "fail", "heartbeat"]);
  counted = testConnection(); // on the cluster a cluster client: its round trips are counted the same way
  await counted.ping();
  const original = counted.sendCommand.bind(counted);
  counted.sendCommand = ((cmd: { name: string; promise: Promise<unknown> }) => {
    sent.push(cmd.name);
    if (unanswered === 0) trips++;
    unanswered++;
    const settled = () => void unanswered--;
    cmd.promise.then(settled, settled);
    return original(cmd as never);
  }) as typeof counted.sendCommand;
  env = { ...f.env, redis: counted };
  setActiveContext(env);
});
afterAll(async () => {
  counted.disconnect();
  await f.t.cleanup();
});

async function count<T>(fn: () => Promise<T>): Promise<{ value: T; commands: string[]; trips: number }> {
  sent = [];
  trips = 0;
  const value = await fn();
  return { value, commands: sent, trips };
}

const ON_QUEUE_TAGS = () => env.keys.jobTags === "queue";
/** What a write of new jobs sends: the queues-set SADD with the script on the installation's tag. */
const writing = () => (ON_QUEUE_TAGS() ? ["evalsha"] : ["sadd", "evalsha"]);

describe("round trips per job", () => {
  beforeAll(async () => {
    // the queue layout lists a queue once per minute: list these before counting
    if (ON_QUEUE_TAGS()) for (const queue of ["default", "short"]) await enqueueWith(env, "my_app.tasks.t", { queue, warm: 1 });
    // one DEL per queue: on a cluster the two queues' tags may be on two masters
    if (ON_QUEUE_TAGS()) for (const queue of ["default", "short"]) await env.redis.del(env.keys.queue(queue), env.keys.wake(queue));
  });

  it("enqueue 1, dequeue 1, complete 1 even with follow-ups, fail 1, heartbeat 1", async () => {
    const e = await count(() => enqueueWith(env, "my_app.tasks.t", { x: 1 }));
    expect(e.commands).toEqual(writing());
    expect(e.trips).toBe(1);
    const d = await count(() => dequeue(env, { queues: ["short", "default"], worker: "w", leaseMs: 10_000 }));
    // on queue tags one dequeue per tag in serving order (src/queue/take.ts): the empty "short" first
    expect(d.commands).toEqual(ON_QUEUE_TAGS() ? ["evalsha", "evalsha"] : ["evalsha"]);
    expect(d.trips).toBe(ON_QUEUE_TAGS() ? 2 : 1);
    const job = d.value as Job;
    const run = await runInJobContext(job, env, async () => {
      await enqueueWith(env, "my_app.tasks.t", { n: 1, enqueueAfterCommit: true });
      await enqueueWith(env, "my_app.tasks.t", { n: 2, enqueueAfterCommit: true });
      return "r";
    });
    expect(run.followUps).toHaveLength(2);
    const h = await count(() => heartbeat(env, { worker: "w", jobs: [{ id: job.id, queue: "default" }], leaseMs: 10_000 }));
    expect(h.commands).toEqual(["evalsha"]);
    const c = await count(() => completeJob(env, { job, worker: "w", result: run.result, followUps: run.followUps as PreparedJob[] }));
    expect(c).toEqual({ value: "finished", commands: writing(), trips: 1 });
    const j2 = (await dequeue(env, { queues: ["default"], worker: "w", leaseMs: 10_000 }))!;
    const fl = await count(() => failJob(env, { job: j2, worker: "w", error: new Error("x") }));
    expect(fl).toEqual({ value: "failed", commands: ["evalsha"], trips: 1 });
    const w = await count(() => waitForJobs(counted, env, ["default"], 1));
    expect(w).toEqual({ value: true, commands: ["blpop"], trips: 1 }); // one job left, one marker
  });

  it("a transaction of 5 after-commit jobs commits in 1", async () => {
    const t = await count(() =>
      transaction(async () => {
        for (let i = 0; i < 5; i++) await enqueueWith(env, "my_app.tasks.t", { i, enqueueAfterCommit: true });
      }),
    );
    expect(t.commands).toEqual(writing());
    expect(t.trips).toBe(1);
  });
});
