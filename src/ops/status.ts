/** Everything `scheduler status` shows, read in one go: queues, workers, scheduler, Redis. */
import type { QueueEnv } from "../queue/context.js";
import { getQueueStatsWith, type QueueCounts } from "../queue/registry.js";
import { readRedisInfo, type RedisOverview } from "./redis-info.js";
import { readSchedulerState, type SchedulerOverview } from "./scheduler-state.js";
import { workerOverview, type WorkerView } from "./workers.js";

export interface StatusReport {
  /** When it was read (ms). */
  at: number;
  prefix: string;
  queues: Record<string, QueueCounts>;
  workers: WorkerView[];
  scheduler: SchedulerOverview;
  redis: RedisOverview;
}

export async function readStatus(env: QueueEnv): Promise<StatusReport> {
  const [queues, workers, scheduler, redis] = await Promise.all([
    getQueueStatsWith(env),
    workerOverview(env),
    readSchedulerState(env),
    readRedisInfo(env.redis),
  ]);
  return { at: env.clock(), prefix: env.keys.prefix, queues, workers, scheduler, redis };
}
