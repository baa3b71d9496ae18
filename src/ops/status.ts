/** Everything `scheduler status` shows, read in one go: queues, workers, scheduler, Redis. */
import type { QueueEnv } from "../queue/context.js";
import { getQueueStatsWith, type QueueCounts } from "../queue/registry.js";
import { readRedisInfo, type RedisOverview } from "./redis-info.js";
import { readMasters, type MasterView } from "./masters.js";
import { readSchedulerState, type SchedulerOverview } from "./scheduler-state.js";
import { workerOverview, type WorkerView } from "./workers.js";

/**
 * A queue's counts as `status --json` and /api/overview have always shown them: RQ's word
 * `pending` for queued jobs, no `queued` field (the JSON output does not change).
 */
export type StatusCounts = Omit<QueueCounts, "queued">;

export interface StatusReport {
  /** When it was read (ms). */
  at: number;
  prefix: string;
  /** Where its job keys are (src/redis/key-layout.ts): "installation" or "queue" (a tag per queue). */
  keyLayout: "installation" | "queue";
  queues: Record<string, StatusCounts>;
  workers: WorkerView[];
  scheduler: SchedulerOverview;
  redis: RedisOverview;
  /** On a Redis Cluster: one entry per master (src/ops/masters.ts); absent on one server. */
  masters?: MasterView[];
}

export async function readStatus(env: QueueEnv): Promise<StatusReport> {
  const [stats, workers, scheduler, redis] = await Promise.all([getQueueStatsWith(env), workerOverview(env), readSchedulerState(env), readRedisInfo(env.redis)]);
  const masters = await readMasters(env.redis, installationTags(env, Object.keys(stats)));
  const queues: Record<string, StatusCounts> = {};
  for (const [name, { queued: _queued, ...counts }] of Object.entries(stats)) queues[name] = counts;
  return { at: env.clock(), prefix: env.keys.prefix, keyLayout: env.keys.jobTags, queues, workers, scheduler, redis, ...(masters ? { masters } : {}) };
}

/** The installation's tag first, then each queue's own (the per-queue layout; none on the other). */
function installationTags(env: QueueEnv, queues: string[]): string[] {
  const tags = new Set([env.keys.root]);
  for (const q of [...queues].sort()) {
    try {
      tags.add(env.keys.jobTag(q));
    } catch {
      // a listed name that cannot be a tag has no keys of its own
    }
  }
  return [...tags];
}
