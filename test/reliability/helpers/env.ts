/** The queue env the reliability tests enqueue with (queues as in fixtures/app/hooks.ts). */
import type { Redis } from "ioredis";
import { systemClock } from "../../../src/base/clock.js";
import type { QueueEnv } from "../../../src/queue/context.js";
import { enqueueWith } from "../../../src/queue/enqueue.js";
import type { Job } from "../../../src/queue/types.js";
import type { Keys } from "../../../src/redis/keys.js";

export const FIXTURE_QUEUES: QueueEnv["queues"] = {
  short: { timeout: 1, workers: 1, concurrency: 1 },
  default: { timeout: 30, workers: 1, concurrency: 2 },
  long: { timeout: 1500, workers: 1, concurrency: 1 },
  faults: { timeout: 2, workers: 1, concurrency: 1, maxMemoryMb: 64 },
  load: { timeout: 30, workers: 1, concurrency: 32 },
  "sched-test": { timeout: 30, workers: 1, concurrency: 8 },
};

export function relEnv(redis: Redis, keys: Keys, extra: Partial<QueueEnv> = {}): QueueEnv {
  return { redis, keys, clock: systemClock, queues: FIXTURE_QUEUES, retention: { finished: 600, failed: 600 }, ...extra };
}

export async function enqueueN(env: QueueEnv, n: number, method: string, options: Record<string, unknown>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(((await enqueueWith(env, method, options)) as Job).id);
  return ids;
}

/** True while a process with this pid exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
