/**
 * Follow-ups and schedule outcomes across tags (issue 17, the "queue" key layout): a completing
 * job's follow-up to a queue of another tag is an enqueue record on the job's tag, written with
 * the completion and applied on the follow-up's tag once, even when applied twice (an enqueue
 * again would replace a finished job, RQ semantics); a scheduled job's outcome is an outcome
 * record applied on the installation's tag once. Runs on one Redis and on the cluster
 * ("on-cluster" project), the queues chosen so that their tags are on different masters.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Keys } from "../../src/redis/keys.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { completeJob, dequeue } from "../../src/queue/lifecycle.js";
import { getJobWith } from "../../src/queue/registry.js";
import { sweepForwardRecords } from "../../src/queue/forward-sweep.js";
import { buildPrepared } from "../../src/queue/prepare.js";
import type { QueueEnv } from "../../src/queue/context.js";
import { normalizeOptions } from "../../src/queue/options.js";
import { scheduleKeys } from "../../src/redis/schedule-keys.js";
import { readOutcomes } from "../../src/scheduler/outcome.js";
import type { Job, PreparedJob } from "../../src/queue/types.js";
import { spreadFixture, type QueueFixture, type SpreadFixture } from "./helpers.js";

const METHOD = "app.tasks.noop";
let f: QueueFixture;
let keys: Keys;
let env: QueueEnv;
/** Three queues whose tags are on three different masters on the cluster. */
let A: string, B: string, C: string;

beforeAll(async () => {
  ({ f, keys, env, queues: [A, B, C] } = (await spreadFixture("follow-ups-elsewhere", { [METHOD]: () => "ok" }, 3)) as SpreadFixture & { queues: [string, string, string] });
});
afterAll(() => f.t.cleanup());

let n = 0;
const fresh = (name: string) => `${name}-${++n}`;
const put = async (queue: string, o: Record<string, unknown> = {}) => (await enqueueWith(env, METHOD, { queue, ...o })) as Job;
const job = (id: string) => getJobWith(env, id);
const tag = (q: string) => keys.jobTag(q);
const pending = async (q: string) => env.redis.hgetall(keys.forward(tag(q)));
const followUp = (queue: string, o: Record<string, unknown> = {}): PreparedJob => buildPrepared(env, METHOD, normalizeOptions({ queue, ...o }, env.clock())).prepared;
const rejections = async (q: string) =>
  (await env.redis.xrange(keys.events(tag(q)), "-", "+")).map(([, fields]) => JSON.parse(fields[1]!) as { type: string; msg: string; jobId: string }).filter((e) => e.type === "job.rejected");

/** Take job `id` from its queue (the head must be it) and complete it with `followUps`. */
async function finish(id: string, queue: string, followUps: PreparedJob[] = []): Promise<void> {
  const taken = await dequeue(env, { queues: [queue], worker: "w", leaseMs: 30_000 });
  expect(taken?.id).toBe(id);
  expect(await completeJob(env, { job: taken!, worker: "w", result: 1, followUps })).toBe("finished");
}

describe("a follow-up to a queue on another tag", () => {
  it("is enqueued there when the completion returns, and its record dropped", async () => {
    const p = await put(A, { jobId: fresh("P") });
    const id = fresh("F");
    await finish(p.id, A, [followUp(B, { jobId: id })]);
    expect(await job(id)).toMatchObject({ status: "queued", queue: B });
    expect(await pending(A)).toEqual({});
    expect((await job(p.id))?.status).toBe("finished");
    await finish(id, B);
  });

  it("an enqueue record applied twice (a crash before its drop) enqueues once: a finished follow-up is not replaced", async () => {
    const p = await put(A, { jobId: fresh("P") });
    const id = fresh("F");
    await finish(p.id, A, [followUp(B, { jobId: id })]);
    const field = `enqueue\t${p.id}\t${id}`;
    await finish(id, B); // the follow-up ran and finished
    const done = await job(id);
    expect(done?.status).toBe("finished");
    // the same record again, as if its drop never happened: its body as written (the spec, the writer's `at`)
    const marks = await env.redis.zrange(keys.followUpMarks(tag(B)), 0, -1);
    const mark = marks.find((m) => m.startsWith(`${tag(A)}\t${field}\t`));
    expect(mark).toBeDefined(); // the apply's proof, written with the enqueue
    const at = Number(mark!.split("\t").pop());
    const body = JSON.stringify({ kind: "enqueue", parent: p.id, spec: followUp(B, { jobId: id }), at });
    await env.redis.hset(keys.forward(tag(A)), field, body);
    expect(await sweepForwardRecords(env)).toBe(1);
    expect(await job(id)).toMatchObject({ status: "finished", endedAt: done!.endedAt });
    expect(await pending(A)).toEqual({});
  });

  it("a live id there is rejected with the job.rejected warn event; so is an unknown dependency elsewhere", async () => {
    const live = await put(B, { jobId: fresh("L") });
    const p = await put(A, { jobId: fresh("P") });
    const refused = fresh("F");
    await finish(p.id, A, [followUp(B, { jobId: live.id }), followUp(C, { jobId: refused, dependsOn: "no-such-job" })]);
    expect((await rejections(B)).filter((e) => e.jobId === live.id).map((e) => e.msg)).toEqual([`follow-up not enqueued: id ${live.id} is taken by a live job`]);
    expect((await rejections(A)).filter((e) => e.jobId === refused).map((e) => e.msg)).toEqual(["follow-up not enqueued: dependency no-such-job is not a job"]);
    expect(await job(refused)).toBeNull();
    expect((await job(live.id))?.status).toBe("queued");
    expect(await pending(A)).toEqual({});
  });

  it("a follow-up waiting on a job of a third tag is deferred, linked, and moves on when that one finishes", async () => {
    const dep = await put(C, { jobId: fresh("D") });
    const p = await put(A, { jobId: fresh("P") });
    const id = fresh("F");
    await finish(p.id, A, [followUp(B, { jobId: id, dependsOn: dep.id })]);
    expect((await job(id))?.status).toBe("deferred");
    expect(await env.redis.smembers(keys.remoteDependents(dep.id, tag(C)))).toEqual([`${B}\t${id}`]);
    await finish(dep.id, C);
    await sweepForwardRecords(env); // the settle record, as a worker's forwarder would
    expect((await job(id))?.status).toBe("queued");
  });
});

describe("a schedule outcome written on a queue's own tag", () => {
  it("an outcome record applied twice counts its failure once; an older one applied late is not the last outcome", async () => {
    const task = `cron|* * * * *|${fresh("app.tasks.t")}`;
    const rec = (jobId: string, finishedAt: number, status: string) => JSON.stringify({ kind: "outcome", task, outcome: { status, jobId, slot: finishedAt - 500, finishedAt }, at: finishedAt });
    const newer = rec(fresh("J"), 20_000, "failed");
    const older = rec(fresh("J"), 10_000, "failed");
    await env.redis.hset(keys.forward(tag(A)), `outcome\tnewer`, newer);
    await sweepForwardRecords(env);
    await env.redis.hset(keys.forward(tag(A)), `outcome\tnewer`, newer); // its drop lost
    await env.redis.hset(keys.forward(tag(A)), `outcome\tolder`, older);
    await sweepForwardRecords(env);
    const stats = await env.redis.hgetall(scheduleKeys(keys).stats(task));
    expect(stats).toMatchObject({ failed: "2", failStreak: "2" });
    expect((await readOutcomes(env.redis, keys, [task]))[0]).toMatchObject({ finishedAt: 20_000 });
    expect(await pending(A)).toEqual({});
  });
});
