/**
 * The installation-wide figures /metrics reads from Redis at scrape time: jobs per queue and
 * state, the age of each queue's oldest queued job, each task's last slot, and the round trip.
 * Two pipelined round trips whatever the number of queues (each one pipeline per job tag, sent
 * together); a Redis that does not answer within REDIS_SCRAPE_TIMEOUT_MS gives `up: false`
 * instead of a hanging scrape.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../../redis/keys.js";
import { jobField } from "../../queue/job-fields.js";
import { allLastSlots } from "../../scheduler/guard-records.js";
import { readPerTag, readPerTagSettled } from "../../redis/tag-pipeline.js";

export const JOB_STATES = ["queued", "scheduled", "deferred", "started", "failed", "finished", "canceled"] as const;
export type JobState = (typeof JOB_STATES)[number];

export const REDIS_SCRAPE_TIMEOUT_MS = 2000;

/** The read of the installation's last-slots hash among the per-queue reads. */
const LAST_SLOTS = Symbol("last-slots");

export interface RedisFigures {
  up: boolean;
  roundtripSeconds?: number;
  /** queue -> state -> count */
  jobs: Map<string, Record<JobState, number>>;
  /** queue -> seconds since its oldest queued job was enqueued (0: empty) */
  oldestAge: Map<string, number>;
  /** task id -> last slot recorded (ms) */
  lastSlots: Map<string, number>;
  error?: string;
}

export async function readRedisFigures(redis: Redis, keys: Keys, configuredQueues: string[], now: () => number): Promise<RedisFigures> {
  const empty: RedisFigures = { up: false, jobs: new Map(), oldestAge: new Map(), lastSlots: new Map() };
  try {
    return await withTimeout(read(redis, keys, configuredQueues, now), REDIS_SCRAPE_TIMEOUT_MS);
  } catch (err) {
    return { ...empty, error: err instanceof Error ? err.message : String(err) };
  }
}

async function read(redis: Redis, keys: Keys, configuredQueues: string[], now: () => number): Promise<RedisFigures> {
  const t0 = process.hrtime.bigint();
  await redis.ping();
  const roundtripSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const known = await redis.smembers(keys.queues());
  const queues = [...new Set([...configuredQueues, ...known])].sort();
  // one pipeline per job tag, sent together (tag-pipeline.ts); the installation's last slots
  // ride with the queues of its tag (on the installation layout: one pipeline, as before)
  const reads: Array<string | typeof LAST_SLOTS> = [...queues, LAST_SLOTS];
  const res = await readPerTag(redis, reads, (r) => (r === LAST_SLOTS ? keys.root : keys.jobTag(r)), (pipe, r) => {
    if (r === LAST_SLOTS) {
      pipe.hgetall(keys.lastSlots());
      return;
    }
    const q = r;
    pipe.llen(keys.queue(q));
    pipe.zcard(keys.scheduled(q));
    pipe.zcard(keys.deferred(q));
    pipe.zcard(keys.started(q));
    pipe.zcard(keys.failed(q));
    pipe.zcard(keys.finished(q));
    pipe.zcard(keys.canceled(q));
    pipe.lrange(keys.queue(q), 0, 0);
    // a job enqueued at the front (atFront) sits at the head: the tail's first job is the other candidate
    pipe.lrange(keys.queue(q), -1, -1);
  });
  const jobs = new Map<string, Record<JobState, number>>();
  const heads: Array<{ queue: string; ids: string[] }> = [];
  queues.forEach((q, i) => {
    const r = res[i]!;
    jobs.set(q, {
      queued: r[0] as number,
      scheduled: r[1] as number,
      deferred: r[2] as number,
      started: r[3] as number,
      failed: r[4] as number,
      finished: r[5] as number,
      canceled: r[6] as number,
    });
    heads.push({ queue: q, ids: [...new Set([...(r[7] as string[]), ...(r[8] as string[])])] });
  });
  // the enqueue guard's records on the queues' tags too (per-queue layout; none otherwise)
  const lastSlots = await allLastSlots(redis, keys, (res[queues.length]![0] ?? {}) as Record<string, string>, queues);
  const oldestAge = new Map<string, number>();
  const candidates = heads.flatMap(({ queue, ids }) => ids.map((id) => ({ queue, id })));
  const ages = await readPerTagSettled(redis, candidates, (c) => keys.jobTag(c.queue), (pipe, c) => pipe.hget(keys.job(c.id, keys.jobTag(c.queue)), jobField.enqueuedAt));
  let n = 0;
  const at = now();
  for (const { queue, ids } of heads) {
    let oldest = Infinity;
    for (const _ of ids) {
      const v = Number(ages[n++]?.[0]?.[1]);
      if (Number.isFinite(v)) oldest = Math.min(oldest, v);
    }
    oldestAge.set(queue, Number.isFinite(oldest) ? Math.max(0, (at - oldest) / 1000) : 0);
  }
  return { up: true, roundtripSeconds, jobs, oldestAge, lastSlots };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
    }),
  ]);
}
