/** Live workers for `status` and `doctor`: the worker registry's own reader, plus ages. */
import type { QueueEnv } from "../queue/context.js";
import { listWorkers, type WorkerRecord } from "../worker/supervisor/worker-records.js";

/**
 * How far back a heartbeat may be. The real liveness test is the worker hash itself: it expires
 * by its own TTL (set by the supervisor), and listWorkers skips names whose hash is gone. This
 * bound only keeps very old sorted-set members (no live worker left to prune them) out.
 */
export const WORKER_LOOKBACK_MS = 5 * 60_000;

export interface WorkerView extends WorkerRecord {
  /** ms since the worker started. */
  ageMs: number;
  /** ms since its last heartbeat. */
  sinceHeartbeatMs: number;
}

export async function workerOverview(ctx: Pick<QueueEnv, "redis" | "keys" | "clock">): Promise<WorkerView[]> {
  const now = ctx.clock();
  const workers = await listWorkers(ctx, WORKER_LOOKBACK_MS);
  return workers
    .map((w) => ({ ...w, ageMs: Math.max(0, now - w.startedAt), sinceHeartbeatMs: Math.max(0, now - w.lastHeartbeat) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
