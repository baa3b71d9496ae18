/**
 * Property: whatever sequence of queue operations runs, every job id is in exactly one place
 * (queue list, scheduled, deferred, started, finished, failed, canceled) and its hash's status
 * agrees; a job whose hash is gone (retention) is nowhere; wake markers never outnumber waiting
 * jobs. Dependencies (dependsOn, allowFailure): a deferred job waits on exactly depsLeft live
 * dependencies whose dependents sets hold it, and only deferred jobs are in dependents sets.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/base/clock.js";
import { setActiveContext, type QueueEnv } from "../../src/queue/context.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { completeJob, dequeue, failJob, promoteScheduled, reapStalled, requeueJob } from "../../src/queue/lifecycle.js";
import { getQueue } from "../../src/queue/queue.js";
import { cancel, cleanRegistries, requeue } from "../../src/queue/registry.js";
import type { Job } from "../../src/queue/types.js";
import { createKeys } from "../../src/redis/keys.js";
import { queueFixture, T0, type QueueFixture } from "./helpers.js";

const QUEUES = ["short", "long"] as const;
const WORKERS = ["w1", "w2", "w3"] as const;

// Weighted toward the moves that create and settle dependencies (enqueue, dequeue, end).
const op = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("enqueue" as const),
      queue: fc.constantFrom(...QUEUES),
      id: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom("a", "b", "c") }),
      dedupe: fc.boolean(),
      delay: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 120 }) }),
      retry: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 }) }),
      front: fc.boolean(),
      deps: fc.oneof(fc.constant([] as number[]), fc.array(fc.nat(), { minLength: 1, maxLength: 2 })),
      allowFailure: fc.boolean(),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("dequeue" as const), worker: fc.constantFrom(...WORKERS), lease: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom("complete" as const, "fail" as const, "giveBack" as const), pick: fc.nat(), honest: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom("cancel" as const, "requeue" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom("reap" as const, "promote" as const, "clean" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("advance" as const), seconds: fc.integer({ min: 1, max: 900 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("empty" as const), queue: fc.constantFrom(...QUEUES) }) },
);

/** FC_RUNS: more runs locally, e.g. after changing a job script (the timeout grows with it). */
const RUNS = Number(process.env.FC_RUNS ?? 40);

const LIVE = new Set(["queued", "scheduled", "deferred", "started"]);
/** The refusals an enqueue in this model may meet (ids and dependencies are drawn at random). */
const EXPECTED_REFUSAL = /is taken by a|which is not a job|which already failed|which was canceled|cannot depend on itself/;

let f: QueueFixture;
let run = 0;
let deferredSeen = 0;
beforeAll(async () => {
  f = await queueFixture("invariants", { "my_app.tasks.t": () => 1 });
});
afterAll(() => f.t.cleanup());

async function dropPrefix(env: QueueEnv): Promise<void> {
  let cursor = "0";
  do {
    const [next, batch] = await env.redis.scan(cursor, "MATCH", `${env.keys.root}:*`, "COUNT", 1000);
    cursor = next;
    if (batch.length) await env.redis.del(...batch);
  } while (cursor !== "0");
}

async function checkInvariant(env: QueueEnv, ids: Set<string>): Promise<void> {
  const k = env.keys;
  const where = new Map<string, string[]>();
  const add = (id: string, p: string) => where.set(id, [...(where.get(id) ?? []), p]);
  for (const q of QUEUES) {
    for (const id of await env.redis.lrange(k.queue(q), 0, -1)) add(id, "queued");
    for (const kind of ["scheduled", "deferred", "started", "finished", "failed", "canceled"] as const) {
      for (const id of await env.redis.zrange(k[kind](q), 0, -1)) add(id, kind);
    }
    expect(await env.redis.llen(k.wake(q))).toBeLessThanOrEqual(await env.redis.llen(k.queue(q)));
  }
  await checkDependencies(env, ids);
  for (const id of new Set([...ids, ...where.keys()])) {
    const [status, queue] = await env.redis.hmget(k.job(id), "status", "queue");
    const places = where.get(id) ?? [];
    if (status === null) {
      expect(places, `job ${id} has no hash but is in ${places.join(", ")}`).toEqual([]);
    } else {
      expect(places, `job ${id} (status ${status})`).toEqual([status]);
      expect(QUEUES).toContain(queue);
    }
  }
}

async function checkDependencies(env: QueueEnv, ids: Set<string>): Promise<void> {
  const k = env.keys;
  for (const id of ids) {
    const [status, dependsOn, depsLeft] = await env.redis.hmget(k.job(id), "status", "dependsOn", "depsLeft");
    // dependents set -> every member is a deferred job
    for (const member of await env.redis.smembers(k.dependents(id))) {
      expect(await env.redis.hget(k.job(member), "status"), `${member} in dependents of ${id}`).toBe("deferred");
    }
    if (status !== "deferred") continue;
    const deps = JSON.parse(dependsOn ?? "[]") as string[];
    const waitingOn: string[] = [];
    for (const d of deps) if ((await env.redis.sismember(k.dependents(d), id)) === 1) waitingOn.push(d);
    expect(Number(depsLeft), `deferred ${id} waits on ${waitingOn.join(",")}`).toBe(waitingOn.length);
    expect(waitingOn.length, `deferred ${id} waits on nothing`).toBeGreaterThan(0);
    for (const d of waitingOn) expect(LIVE.has((await env.redis.hget(k.job(d), "status")) ?? "gone"), `dependency ${d} of ${id}`).toBe(true);
  }
}

describe("queue invariants (fast-check)", () => {
  it("every job is in exactly one place and its status agrees, after any sequence of operations", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 8, maxLength: 30, size: "max" }), async (ops) => {
        const clock = manualClock(T0);
        const env: QueueEnv = { ...f.env, clock, keys: createKeys(`${f.t.prefix}-r${run++}`) };
        setActiveContext(env);
        const ids = new Set<string>();
        const held: Array<{ job: Job; worker: string }> = [];
        try {
          for (const o of ops) {
            switch (o.kind) {
              case "enqueue": {
                const opts: Record<string, unknown> = { queue: o.queue, atFront: o.front };
                if (o.id) Object.assign(opts, { jobId: o.id, deduplicate: o.dedupe });
                if (o.delay) opts.delay = o.delay;
                if (o.retry !== undefined) opts.retry = { max: o.retry, delay: 30 };
                const known = [...ids];
                if (known.length > 0 && o.deps.length > 0) {
                  // mostly the newest jobs, which are more often still live
                  opts.dependsOn = o.deps.map((n) => known[known.length - 1 - (n % Math.min(3, known.length))]!);
                  opts.allowFailure = o.allowFailure;
                }
                const job = (await enqueueWith(env, "my_app.tasks.t", opts).catch((e: Error) => {
                  expect(e.message).toMatch(EXPECTED_REFUSAL);
                  return undefined;
                })) as Job | undefined;
                if (job) ids.add(job.id);
                if (job?.status === "deferred") deferredSeen++;
                break;
              }
              case "dequeue": {
                const job = await dequeue(env, { queues: [...QUEUES], worker: o.worker, leaseMs: o.lease * 1000 });
                if (job) held.push({ job, worker: o.worker });
                break;
              }
              case "complete":
              case "fail":
              case "giveBack": {
                if (held.length === 0) break;
                const [h] = held.splice(o.pick % held.length, 1);
                const worker = o.honest ? h!.worker : "impostor";
                if (o.kind === "complete") await completeJob(env, { job: h!.job, worker, result: o.pick });
                else if (o.kind === "fail") await failJob(env, { job: h!.job, worker, error: new Error("x") });
                else await requeueJob(env, { job: h!.job, worker, reason: "shutdown" });
                break;
              }
              case "cancel":
              case "requeue": {
                const all = [...ids];
                if (all.length === 0) break;
                const id = all[o.pick % all.length]!;
                await (o.kind === "cancel" ? cancel(id, env) : requeue(id, env)).catch(() => undefined);
                break;
              }
              case "reap":
                await reapStalled(env, { stallLimit: 1 });
                break;
              case "promote":
                await promoteScheduled(env);
                break;
              case "clean":
                await cleanRegistries(env);
                break;
              case "advance":
                clock.advance(o.seconds * 1000);
                break;
              case "empty":
                await getQueue(o.queue, env).empty();
                break;
            }
            await checkInvariant(env, ids);
          }
        } finally {
          await dropPrefix(env);
        }
      }),
      { numRuns: RUNS },
    );
    // the runs did exercise dependencies (a guard against a generator that never defers)
    expect(deferredSeen).toBeGreaterThan(5);
  }, Math.max(60_000, RUNS * 1_500));
});
