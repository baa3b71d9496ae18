/**
 * Seeding jobs for the operator-command tests with the queue's own functions (enqueueWith,
 * dequeue, completeJob, failJob), on a test prefix, with the system clock (the CLI process reads
 * the same clock, so retention and ages line up).
 */
import { systemClock } from "../../src/base/clock.js";
import { type QueueEnv } from "../../src/queue/context.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../../src/config/defaults.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { completeJob, dequeue, failJob } from "../../src/queue/lifecycle.js";
import type { Job } from "../../src/queue/types.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

export const WORKER = "test-worker";

export interface Seeder {
  t: TestRedis;
  env: QueueEnv;
  /** The CLI flags that point a spawned `scheduler` at this prefix. */
  flags: string[];
  queued(method: string, o?: { queue?: string; kwargs?: Record<string, unknown>; jobId?: string }): Promise<Job>;
  scheduled(method: string, o?: { queue?: string; delaySeconds?: number }): Promise<Job>;
  /** Enqueued at the front and leased to WORKER at once. */
  started(method: string, o?: { queue?: string }): Promise<Job>;
  finished(method: string, o?: { queue?: string; result?: unknown }): Promise<Job>;
  failed(method: string, o?: { queue?: string; error?: Error }): Promise<Job>;
}

export async function seeder(name: string): Promise<Seeder> {
  const t = await testRedis(name);
  const env: QueueEnv = {
    redis: t.redis,
    keys: t.keys,
    clock: systemClock,
    queues: { ...BUILTIN_QUEUES },
    retention: { ...DEFAULT_RETENTION },
  };
  const enq = async (method: string, options: Record<string, unknown>) => (await enqueueWith(env, method, options)) as Job;
  const lease = async (job: Job): Promise<Job> => {
    const got = await dequeue(env, { queues: [job.queue], worker: WORKER, leaseMs: 60_000 });
    if (!got || got.id !== job.id) throw new Error(`seed: expected to dequeue ${job.id}, got ${got?.id ?? "nothing"} (someone else dequeues from ${job.queue}?)`);
    return got;
  };
  return {
    t,
    env,
    flags: ["--redis", t.url, "--prefix", t.prefix],
    queued: (method, o = {}) => enq(method, { queue: o.queue ?? "default", kwargs: o.kwargs ?? {}, ...(o.jobId ? { jobId: o.jobId } : {}) }),
    scheduled: (method, o = {}) => enq(method, { queue: o.queue ?? "default", delay: o.delaySeconds ?? 600 }),
    async started(method, o = {}) {
      return lease(await enq(method, { queue: o.queue ?? "default", atFront: true }));
    },
    async finished(method, o = {}) {
      const job = await lease(await enq(method, { queue: o.queue ?? "default", atFront: true }));
      await completeJob(env, { job, worker: WORKER, result: o.result ?? { ok: true } });
      return job;
    },
    async failed(method, o = {}) {
      const job = await lease(await enq(method, { queue: o.queue ?? "default", atFront: true }));
      await failJob(env, { job, worker: WORKER, error: o.error ?? new Error("kaput") });
      return job;
    },
  };
}
