/**
 * dependsOn across tags (issue 17, the "queue" key layout): a job waiting on a job of another
 * queue, whose keys are on another tag (on the cluster: another master), is linked and settled
 * through forward records (src/redis/lua/forward_lib.lua, src/queue/forward-records.ts), each
 * applied once even when applied twice. Runs on one Redis and again on the cluster
 * ("on-cluster" project), the queues chosen so that their tags are on different masters.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Keys } from "../../src/redis/keys.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { enqueueManyWith } from "../../src/queue/enqueue-many.js";
import { completeJob, dequeue, failJob } from "../../src/queue/lifecycle.js";
import { cleanRegistries, getJobWith } from "../../src/queue/registry.js";
import { runJobScriptById } from "../../src/queue/find-job.js";
import { applyRecord } from "../../src/queue/forward-records.js";
import { sweepForwardRecords } from "../../src/queue/forward-sweep.js";
import { placeDependencies } from "../../src/queue/dependencies-elsewhere.js";
import { runEnqueueScript } from "../../src/queue/push.js";
import { buildPrepared } from "../../src/queue/prepare.js";
import type { QueueEnv } from "../../src/queue/context.js";
import { Forwarder } from "../../src/worker/supervisor/forwarder.js";
import { silentLogger } from "../../src/worker/log.js";
import { normalizeOptions } from "../../src/queue/options.js";
import type { Job } from "../../src/queue/types.js";
import { spreadFixture, type QueueFixture, type SpreadFixture } from "./helpers.js";

const METHOD = "app.tasks.noop";
let f: QueueFixture;
let keys: Keys;
let env: QueueEnv;
/** Three queues whose tags are on three different masters on the cluster. */
let A: string, B: string, C: string;

beforeAll(async () => {
  ({ f, keys, env, queues: [A, B, C] } = (await spreadFixture("deps-elsewhere", { [METHOD]: () => "ok" }, 3)) as SpreadFixture & { queues: [string, string, string] });
});
afterAll(() => f.t.cleanup());

let n = 0;
const fresh = (name: string) => `${name}-${++n}`;
const put = async (queue: string, o: Record<string, unknown> = {}) => (await enqueueWith(env, METHOD, { queue, ...o })) as Job;
const job = (id: string) => getJobWith(env, id);
const tag = (q: string) => keys.jobTag(q);
const pending = async (q: string) => env.redis.hgetall(keys.forward(tag(q)));

/** Take job `id` from its queue (the head must be it) and complete or fail it. */
async function end(id: string, queue: string, how: "finish" | "fail"): Promise<void> {
  const taken = await dequeue(env, { queues: [queue], worker: "w", leaseMs: 30_000 });
  expect(taken?.id).toBe(id);
  if (how === "finish") expect(await completeJob(env, { job: taken!, worker: "w", result: 1 })).toBe("finished");
  else expect(await failJob(env, { job: taken!, worker: "w", error: new Error("boom") })).toBe("failed");
}

describe("a dependency on another queue's tag", () => {
  it("links at enqueue, waits, and moves on once the settle record is applied", async () => {
    const p = await put(A, { jobId: fresh("P") });
    const d = await put(B, { jobId: fresh("D"), dependsOn: p.id });
    expect(d.status).toBe("deferred");
    // the link was applied before enqueue returned: the dependency knows its dependent
    expect(await env.redis.smembers(keys.remoteDependents(p.id, tag(A)))).toEqual([`${B}\t${d.id}`]);
    expect(await env.redis.hgetall(keys.remoteDeps(d.id, tag(B)))).toEqual({ [p.id]: A });
    expect(await pending(B)).toEqual({});

    await end(p.id, A, "finish");
    // the completion wrote a settle record on the dependency's tag; nothing moved yet
    expect(Object.keys(await pending(A))).toEqual([`settle\t${p.id}\t${d.id}`]);
    expect((await job(d.id))?.status).toBe("deferred");
    expect(await sweepForwardRecords(env)).toBe(1);
    expect(await job(d.id)).toMatchObject({ status: "queued" });
    expect((await job(d.id))?.depsLeft).toBeUndefined();
    expect(await pending(A)).toEqual({});
    expect(await env.redis.exists(keys.remoteDependents(p.id, tag(A)))).toBe(0);
    expect(await env.redis.exists(keys.remoteDeps(d.id, tag(B)))).toBe(0);
  });

  it("a settle record applied twice (a crash before its drop) counts once", async () => {
    const p1 = await put(A, { jobId: fresh("P") });
    const p2 = await put(C, { jobId: fresh("P") });
    const d = await put(B, { jobId: fresh("D"), dependsOn: [p1.id, p2.id] });
    expect((await job(d.id))?.depsLeft).toBe(2);
    await end(p1.id, A, "finish");
    const [[field, body]] = Object.entries(await pending(A)) as [[string, string]];
    await applyRecord(env, tag(A), field, body);
    expect(await pending(A)).toEqual({});
    await env.redis.hset(keys.forward(tag(A)), field, body); // as if the drop never happened
    expect(await sweepForwardRecords(env)).toBe(1);
    expect(await job(d.id)).toMatchObject({ status: "deferred", depsLeft: 1 });
    await end(p2.id, C, "finish");
    await sweepForwardRecords(env);
    expect((await job(d.id))?.status).toBe("queued");
  });

  it("a failure cancels the dependent, its own dependents on its tag, and those on a third tag", async () => {
    const p = await put(A, { jobId: fresh("P") });
    const d = await put(B, { jobId: fresh("D"), dependsOn: p.id });
    const local = await put(B, { jobId: fresh("L"), dependsOn: d.id });
    const far = await put(C, { jobId: fresh("F"), dependsOn: d.id });
    await end(p.id, A, "fail");
    await sweepForwardRecords(env); // D canceled on B, which writes F's settle record there
    expect(await job(d.id)).toMatchObject({ status: "canceled", cancelReason: `dependency ${p.id} failed` });
    expect(await job(local.id)).toMatchObject({ status: "canceled", cancelReason: `dependency ${d.id} failed` });
    await sweepForwardRecords(env);
    expect(await job(far.id)).toMatchObject({ status: "canceled", cancelReason: `dependency ${d.id} failed` });
    expect([...Object.keys(await pending(A)), ...Object.keys(await pending(B)), ...Object.keys(await pending(C))]).toEqual([]);
  });

  it("allowFailure: the dependent runs once the failed dependency settles", async () => {
    const p = await put(A, { jobId: fresh("P") });
    const d = await put(B, { jobId: fresh("D"), dependsOn: p.id, allowFailure: true });
    await end(p.id, A, "fail");
    await sweepForwardRecords(env);
    expect((await job(d.id))?.status).toBe("queued");
  });

  it("a deleted dependency cancels its dependent elsewhere", async () => {
    const p = await put(A, { jobId: fresh("P") });
    const d = await put(B, { jobId: fresh("D"), dependsOn: p.id });
    await runJobScriptById(env, p.id, "delete_job", [p.id]);
    await sweepForwardRecords(env);
    expect(await job(d.id)).toMatchObject({ status: "canceled", cancelReason: `dependency ${p.id} was deleted` });
  });

  it("refuses an unknown or failed dependency elsewhere before writing anything; a finished one is not waited on", async () => {
    const id = fresh("D");
    await expect(put(B, { jobId: id, dependsOn: "no-such-job" })).rejects.toMatchObject({ code: "UNKNOWN_DEPENDENCY" });
    const failed = await put(A, { jobId: fresh("P") });
    await end(failed.id, A, "fail");
    await expect(put(B, { jobId: id, dependsOn: failed.id })).rejects.toMatchObject({ code: "DEPENDENCY_FAILED" });
    expect(await job(id)).toBeNull();
    const done = await put(A, { jobId: fresh("P") });
    await end(done.id, A, "finish");
    const d = await put(B, { jobId: id, dependsOn: done.id });
    expect(d.status).toBe("queued");
    expect(await pending(B)).toEqual({});
    expect(await env.redis.exists(keys.remoteDependents(done.id, tag(A)))).toBe(0);
  });

  it("a link applied late, after its dependency finished, moves the dependent on", async () => {
    const p = await put(A, { jobId: fresh("P") });
    // the enqueue as push.ts sends it, without the link's immediate apply (a writer that crashed)
    const [spec] = await placeDependencies(env, [buildPrepared(env, METHOD, normalizeOptions({ queue: B, jobId: fresh("D"), dependsOn: p.id }, env.clock())).prepared]);
    expect((await runEnqueueScript(env, [spec!], undefined, tag(B))).ok).toBe(true);
    await end(p.id, A, "finish");
    expect(await pending(A)).toEqual({}); // nothing to tell: it never learned of its dependent
    expect(await sweepForwardRecords(env)).toBe(1); // the link: answered "finished"
    expect((await job(spec!.id))?.status).toBe("queued");
    expect(await pending(B)).toEqual({});
  });

  it("a link record lost (a failover before it replicated) is written again by the retention sweep after a minute", async () => {
    const p = await put(A, { jobId: fresh("P") });
    const [spec] = await placeDependencies(env, [buildPrepared(env, METHOD, normalizeOptions({ queue: B, jobId: fresh("D"), dependsOn: p.id }, env.clock())).prepared]);
    expect((await runEnqueueScript(env, [spec!], undefined, tag(B))).ok).toBe(true);
    await env.redis.del(keys.forward(tag(B))); // lost
    await end(p.id, A, "finish");
    await cleanRegistries(env);
    expect(await pending(B)).toEqual({}); // not yet: it has waited under a minute
    f.clock.advance(61_000);
    await cleanRegistries(env);
    expect(Object.keys(await pending(B))).toEqual([`link\t${spec!.id}\t${p.id}`]);
    await sweepForwardRecords(env);
    expect((await job(spec!.id))?.status).toBe("queued");
  });

  it("enqueueMany: a dependency in the same call on another tag is written first; a refused one stops its dependents", async () => {
    const pid = fresh("P");
    const [d, p] = await enqueueManyWith(env, [
      { method: METHOD, options: { queue: B, jobId: fresh("D"), dependsOn: pid } },
      { method: METHOD, options: { queue: A, jobId: pid } },
    ]);
    expect([d!.status, p!.status]).toEqual(["deferred", "queued"]);
    expect(await env.redis.smembers(keys.remoteDependents(pid, tag(A)))).toEqual([`${B}\t${d!.id}`]);

    const blocked = fresh("D");
    await expect(
      enqueueManyWith(env, [
        { method: METHOD, options: { queue: B, jobId: blocked, dependsOn: pid } },
        { method: METHOD, options: { queue: A, jobId: pid } }, // taken by the live job above
      ]),
    ).rejects.toMatchObject({ code: "JOB_ID_TAKEN" });
    expect(await job(blocked)).toBeNull();
    await end(pid, A, "finish");
    await sweepForwardRecords(env);
    expect((await job(d!.id))?.status).toBe("queued");
  });

  it("a worker's forwarder applies a settle record on its notification, without a sweep", async () => {
    const forwarder = new Forwarder(env, silentLogger);
    try {
      const p = await put(A, { jobId: fresh("P") });
      const d = await put(B, { jobId: fresh("D"), dependsOn: p.id });
      await forwarder.sweep(); // listens to every listed tag
      await end(p.id, A, "finish");
      const deadline = Date.now() + 5000;
      while ((await job(d.id))?.status === "deferred" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect((await job(d.id))?.status).toBe("queued");
    } finally {
      await forwarder.stop();
    }
  });
});
