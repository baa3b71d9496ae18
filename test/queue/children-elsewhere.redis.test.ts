/**
 * Children across tags (issue 17, the "queue" key layout): a job enqueued from inside a running
 * job of another queue, whose keys are on another tag (on the cluster: another master), is
 * listed among the parent's children through a child record (forward_lib.lua, child_link.lua),
 * once even when the record is applied twice. Runs on one Redis and on the cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Keys } from "../../src/redis/keys.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { dequeue } from "../../src/queue/lifecycle.js";
import { getJobWith } from "../../src/queue/registry.js";
import { sweepForwardRecords } from "../../src/queue/forward-sweep.js";
import type { QueueEnv } from "../../src/queue/context.js";
import { runInJobContext } from "../../src/runtime/job-context.js";
import type { Job } from "../../src/queue/types.js";
import { spreadFixture, type QueueFixture, type SpreadFixture } from "./helpers.js";

const METHOD = "app.tasks.noop";
let f: QueueFixture;
let keys: Keys;
let env: QueueEnv;
let A: string, B: string;

beforeAll(async () => {
  ({ f, keys, env, queues: [A, B] } = (await spreadFixture("children-elsewhere", { [METHOD]: () => "ok" }, 2)) as SpreadFixture & { queues: [string, string] });
});
afterAll(() => f.t.cleanup());

const put = async (queue: string, o: Record<string, unknown> = {}) => (await enqueueWith(env, METHOD, { queue, ...o })) as Job;
const running = async (id: string) => {
  await put(A, { jobId: id });
  return (await dequeue(env, { queues: [A], worker: "w", leaseMs: 30_000 }))!;
};

describe("a child on another queue's tag", () => {
  it("is listed by its parent before the enqueue returns, and carries parentId", async () => {
    const p = await running("P1");
    await runInJobContext(p, env, async () => {
      await put(B, { jobId: "P1-c1" });
      await put(A, { jobId: "P1-c2" }); // on the parent's own tag: listed in the enqueue's script
    });
    expect(await getJobWith(env, "P1")).toMatchObject({ children: ["P1-c1", "P1-c2"], childCount: 2 });
    expect(await getJobWith(env, "P1-c1")).toMatchObject({ parentId: "P1", queue: B });
    expect(await env.redis.hgetall(keys.forward(keys.jobTag(B)))).toEqual({});
  });

  it("a child record applied twice (a crash before its drop) lists the child once", async () => {
    const p = await running("P2");
    // the record as the enqueue wrote it, before its immediate apply
    const body = JSON.stringify({ kind: "child", parent: "P2", parentQueue: A, job: "P2-c1", queue: B, at: 1 });
    await runInJobContext(p, env, () => put(B, { jobId: "P2-c1" }));
    await env.redis.hset(keys.forward(keys.jobTag(B)), "child\tP2\tP2-c1", body);
    expect(await sweepForwardRecords(env)).toBe(1);
    expect(await getJobWith(env, "P2")).toMatchObject({ children: ["P2-c1"], childCount: 1 });
    expect(await env.redis.hgetall(keys.forward(keys.jobTag(B)))).toEqual({});
  });

  it("a record whose parent is gone is dropped without writing anything", async () => {
    await env.redis.hset(keys.forward(keys.jobTag(B)), "child\tgone\tx", JSON.stringify({ kind: "child", parent: "gone", parentQueue: A, job: "x", queue: B, at: 1 }));
    expect(await sweepForwardRecords(env)).toBe(1);
    expect(await env.redis.exists(keys.children("gone", keys.jobTag(A)))).toBe(0);
    expect(await env.redis.hgetall(keys.forward(keys.jobTag(B)))).toEqual({});
  });
});
