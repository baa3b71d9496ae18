/**
 * The per-minute history in the keys' "queue" layout (issue 17): the job scripts write a queue's
 * minutes on its tag and a scheduled task's on its queue's (history_lib.lua, through the header's
 * key root); readHistory reads them there: one queue, every queue summed, and a task, found by
 * its queue in the hooks or, when the hooks do not name it, on every listed queue's tag. Runs on
 * one Redis and on the cluster ("on-cluster" project), where the two queues are on different
 * masters.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeys, type Keys } from "../../src/redis/keys.js";
import { enqueueScheduled } from "../../src/queue/enqueue-scheduled.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { completeJob, dequeue, failJob } from "../../src/queue/lifecycle.js";
import { setActiveContext, type QueueEnv } from "../../src/queue/context.js";
import { readHistory, type HistoryQuery } from "../../src/http/metrics/history.js";
import { masterOf, queuesOnDistinctMasters } from "../helpers/distinct-masters.js";
import { ON_TOPOLOGY } from "../helpers/redis.js";
import { queueFixture, T0, type QueueFixture } from "../queue/helpers.js";

const METHOD = "app.tasks.noop";
const Q = { timeout: 60, workers: 1, concurrency: 1 };
const TASK = "cron|* * * * *|app.tasks.noop";
let f: QueueFixture;
let keys: Keys;
let env: QueueEnv;
let A: string, B: string;

beforeAll(async () => {
  f = await queueFixture("history-tags", { [METHOD]: () => "ok" });
  keys = createKeys(f.t.prefix, { jobTags: "queue" });
  [A, B] = (await queuesOnDistinctMasters(f.env.redis, keys, 2)) as [string, string];
  env = { ...f.env, keys, queues: { ...f.env.queues, [A]: Q, [B]: Q } };
  setActiveContext(env);
  // minute 0: two jobs done on A, one failed on B; the task's scheduled run on B done
  for (let i = 0; i < 2; i++) await enqueueWith(env, METHOD, { queue: A });
  await enqueueWith(env, METHOD, { queue: B });
  const fired = await enqueueScheduled(env, { task: TASK, slot: T0, method: METHOD, queue: B, kwargs: {}, catchup: false });
  expect(fired.outcome).toBe("enqueued");
  f.clock.advance(1000);
  for (let i = 0; i < 2; i++) expect(await completeJob(env, { job: (await dequeue(env, { queues: [A], worker: "w", leaseMs: 60_000 }))!, worker: "w", result: null })).toBe("finished");
  expect(await failJob(env, { job: (await dequeue(env, { queues: [B], worker: "w", leaseMs: 60_000 }))!, worker: "w", error: new Error("no") })).toBe("failed");
  expect(await completeJob(env, { job: (await dequeue(env, { queues: [B], worker: "w", leaseMs: 60_000 }))!, worker: "w", result: null })).toBe("finished");
});
afterAll(() => f.t.cleanup());

const range = (o: Partial<HistoryQuery> = {}): HistoryQuery => ({ from: T0, to: T0 + 60_000, stepSeconds: 120, ...o });
const totals = (a: Awaited<ReturnType<typeof readHistory>>) => ({ completed: a.points.reduce((n, p) => n + p.completed, 0), failed: a.points.reduce((n, p) => n + p.failed, 0) });

describe("the history per queue tag", () => {
  it("is written on each queue's tag, the task's on its queue's (the queues on two masters on the cluster)", async () => {
    if (ON_TOPOLOGY) expect(await masterOf(env.redis, keys.history(T0, A))).not.toBe(await masterOf(env.redis, keys.history(T0, B)));
    expect(keys.history(T0, A).startsWith(keys.jobTag(A))).toBe(true);
    expect(await env.redis.hget(keys.history(T0, A), "c")).toBe("2");
    expect(await env.redis.hget(keys.taskHistory(T0, TASK, keys.jobTag(B)), "c")).toBe("1");
    expect(await env.redis.exists(keys.taskHistory(T0, TASK))).toBe(0);
  });

  it("reads one queue's, and every listed queue's summed", async () => {
    expect(totals(await readHistory(env.redis, keys, range({ queue: A }), []))).toEqual({ completed: 2, failed: 0 });
    expect(totals(await readHistory(env.redis, keys, range({ queue: B }), []))).toEqual({ completed: 1, failed: 1 });
    expect(totals(await readHistory(env.redis, keys, range(), []))).toEqual({ completed: 3, failed: 1 });
  });

  it("reads a task's on its queue's tag, found in the hooks or on every listed queue's", async () => {
    expect(totals(await readHistory(env.redis, keys, range({ task: TASK }), [], [{ id: TASK, queue: B }]))).toEqual({ completed: 1, failed: 0 });
    expect(totals(await readHistory(env.redis, keys, range({ task: TASK }), []))).toEqual({ completed: 1, failed: 0 });
    // a hooks file that names the task on another queue: its history is looked for there
    expect(totals(await readHistory(env.redis, keys, range({ task: TASK }), [], [{ id: TASK, queue: A }]))).toEqual({ completed: 0, failed: 0 });
  });

  it("reads the installation's tag on the installation layout (the key names of before)", () => {
    const k = createKeys("p");
    expect([k.history(1, "q"), k.taskHistory(1, "t"), k.taskHistory(1, "t", k.jobTag("q"))]).toEqual(["{p}:history:1:q", "{p}:task-history:1:t", "{p}:task-history:1:t"]);
  });
});
