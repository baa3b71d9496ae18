/**
 * getQueue(name): RQ's Queue for app code, including the reference's custom-queue pattern
 * `const job = await queue.dequeue(); if (job) await job.perform();`.
 */
import { hostname } from "node:os";
import { EnqueueError } from "../base/errors.js";
import { runAsJob } from "./work-scope.js";
import { activeContext, settledEnv, type QueueEnv } from "./context.js";
import { decodeJob, isJobHash } from "./job-codec.js";
import { runJobScript } from "./job-scripts.js";
import { scriptResult } from "../redis/script-results.js";
import { completeJob, dequeue, failJob, heartbeat } from "./lifecycle.js";
import type { Job } from "./types.js";
import { applyPendingForward } from "./forward-records.js";
import { knownQueueNames } from "./find-job.js";
import { readPerTag } from "../redis/tag-pipeline.js";
import { partitionCount, servedPartitions } from "../config/partition-names.js";

/** A dequeued job this process holds; perform() runs it here and records the outcome. */
export interface JobHandle extends Job {
  perform(): Promise<unknown>;
}

export interface QueueHandle {
  readonly name: string;
  /** Jobs waiting in the queue. */
  length(): Promise<number>;
  /** Waiting jobs, in order; `end` inclusive (-1: the last). */
  jobs(range?: { start?: number; end?: number }): Promise<Job[]>;
  /** Lease the next job to this process, or null when the queue is empty. */
  dequeue(): Promise<JobHandle | null>;
  /** Delete every waiting job; returns how many. */
  empty(): Promise<number>;
}

/** Lease margin beyond the job's own timeout, and heartbeat period, for in-process runs. */
const INLINE_LEASE_MS = 60_000;

export function inlineWorkerName(): string {
  return `inline:${hostname()}:${process.pid}`;
}

export function getQueue(name: string, env: QueueEnv = activeContext()): QueueHandle {
  if (!env.queues[name]) {
    throw new EnqueueError("UNKNOWN_QUEUE", `getQueue: unknown queue "${name}"; configured: ${Object.keys(env.queues).join(", ")}`, {
      hint: "add it under `queues` in hooks.ts",
    });
  }
  // the keys are read at each call: an env from configure() has them once its first call read
  // the installation's layout (settledEnv). A partitioned queue's calls cover every partition.
  const partitions = async (): Promise<string[]> => {
    await settledEnv(env);
    return partitionCount(env.queues, name) > 1 ? servedPartitions(env.queues, [name], await knownQueueNames(env)) : [name];
  };
  return {
    name,
    async length() {
      const names = await partitions();
      const counts = await Promise.all(names.map((q) => env.redis.llen(env.keys.queue(q))));
      return counts.reduce((a, b) => a + b, 0);
    },
    async jobs({ start = 0, end = -1 } = {}) {
      const k = env.keys;
      const names = await partitions();
      let wanted: Array<{ id: string; queue: string }>;
      if (names.length === 1) {
        wanted = (await env.redis.lrange(k.queue(name), start, end)).map((id) => ({ id, queue: name }));
      } else {
        // the partitions one after the other, partition 0 first, then the range of that list
        const lists = await Promise.all(names.map((q) => env.redis.lrange(k.queue(q), 0, -1)));
        const listed = lists.flatMap((ids, i) => ids.map((id) => ({ id, queue: names[i]! })));
        wanted = listed.slice(start < 0 ? Math.max(0, listed.length + start) : start, end < 0 ? listed.length + end + 1 : end + 1);
      }
      if (wanted.length === 0) return [];
      // one pipeline per partition's tag (an ioredis Cluster pipeline keeps to one slot)
      const rows = await readPerTag(env.redis, wanted, (w) => k.jobTag(w.queue), (pipe, w) => pipe.hgetall(k.job(w.id, k.jobTag(w.queue))));
      const jobs: Job[] = [];
      rows.forEach(([h], i) => {
        if (isJobHash(h as Record<string, string>)) jobs.push(decodeJob(h as Record<string, string>, wanted[i]!.id));
      });
      return jobs;
    },
    async dequeue() {
      const queues = await partitions();
      const worker = inlineWorkerName();
      const job = await dequeue(env, { queues, worker, leaseMs: INLINE_LEASE_MS });
      return job ? handle(env, job, worker) : null;
    },
    async empty() {
      let n = 0;
      for (const q of await partitions()) {
        const tag = env.keys.jobTag(q);
        n += scriptResult.empty_queue(await runJobScript(env, "empty_queue", [q], [], tag));
        await applyPendingForward(env, tag); // the dependents elsewhere of what it deleted
      }
      return n;
    },
  };
}

function handle(env: QueueEnv, job: Job, worker: string): JobHandle {
  return {
    ...job,
    async perform() {
      if (!env.tasks) {
        throw new EnqueueError("NO_TASKS", `perform: cannot run ${job.method}: no task registry in this process`, {
          hint: "configure({ tasks }) or run jobs with `scheduler worker`",
        });
      }
      // Keep the lease while the task runs, so a reaper elsewhere does not take the job back.
      const beat = setInterval(() => {
        heartbeat(env, { worker, jobs: [{ id: job.id, queue: job.queue }], leaseMs: INLINE_LEASE_MS }).catch(() => {});
      }, INLINE_LEASE_MS / 3);
      beat.unref();
      const tasks = env.tasks;
      try {
        let run;
        try {
          const fn = await tasks.resolve(job.method);
          run = await runAsJob(job, env, () => fn(job.kwargs));
        } catch (err) {
          await failJob(env, { job, worker, error: err });
          throw err;
        }
        await completeJob(env, { job, worker, result: run.result, followUps: run.followUps });
        return run.result;
      } finally {
        clearInterval(beat);
      }
    },
  };
}
