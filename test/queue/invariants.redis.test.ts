/**
 * Property: whatever sequence of queue operations runs, every job id is in exactly one place
 * (queue list, scheduled, started, finished, failed, canceled) and its hash's status agrees;
 * a job whose hash is gone (retention) is nowhere; wake markers never outnumber waiting jobs.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/clock.js";
import { setActiveContext, type QueueEnv } from "../../src/queue/context.js";
import { enqueueIn } from "../../src/queue/enqueue.js";
import { completeJob, dequeue, failJob, promoteScheduled, reapStalled, requeueJob } from "../../src/queue/lifecycle.js";
import { cancel, cleanRegistries, requeue } from "../../src/queue/registry.js";
import type { Job } from "../../src/queue/types.js";
import { createKeys } from "../../src/redis/keys.js";
import { queueFixture, T0, type QueueFixture } from "./helpers.js";

const QUEUES = ["short", "long"] as const;
const WORKERS = ["w1", "w2", "w3"] as const;

const op = fc.oneof(
  fc.record({
    kind: fc.constant("enqueue" as const),
    queue: fc.constantFrom(...QUEUES),
    id: fc.option(fc.constantFrom("a", "b", "c"), { nil: undefined }),
    dedupe: fc.boolean(),
    delay: fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined }),
    retry: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    front: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("dequeue" as const), worker: fc.constantFrom(...WORKERS), lease: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ kind: fc.constantFrom("complete" as const, "fail" as const, "giveBack" as const), pick: fc.nat(), honest: fc.boolean() }),
  fc.record({ kind: fc.constantFrom("cancel" as const, "requeue" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constantFrom("reap" as const, "promote" as const, "clean" as const) }),
  fc.record({ kind: fc.constant("advance" as const), seconds: fc.integer({ min: 1, max: 900 }) }),
);

let f: QueueFixture;
let run = 0;
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
    for (const kind of ["scheduled", "started", "finished", "failed", "canceled"] as const) {
      for (const id of await env.redis.zrange(k[kind](q), 0, -1)) add(id, kind);
    }
    expect(await env.redis.llen(k.wake(q))).toBeLessThanOrEqual(await env.redis.llen(k.queue(q)));
  }
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

describe("queue invariants (fast-check)", () => {
  it("every job is in exactly one place and its status agrees, after any sequence of operations", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
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
                const job = (await enqueueIn(env, "my_app.tasks.t", opts).catch((e: Error) => {
                  expect(e.message).toContain("is taken by a");
                  return undefined;
                })) as Job | undefined;
                if (job) ids.add(job.id);
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
            }
            await checkInvariant(env, ids);
          }
        } finally {
          await dropPrefix(env);
        }
      }),
      { numRuns: 60 },
    );
  });
});
