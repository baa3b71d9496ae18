/**
 * The overview's warning band: the subset of `doctor`'s checks that a status read can answer
 * without extra round trips (no workers, a queue nobody serves, the scheduler off or not
 * ticking, Redis that loses jobs on restart).
 */
import type { StatusReport } from "../../ops/status.js";

/** What the band reads of each queue of the overview (its QueueOverview rows fit). */
export interface QueueServing {
  name: string;
  counts: Record<string, number>;
  busyWorkers: number;
  idleWorkers: number;
}

export interface WarningInput {
  status: StatusReport;
  queues: QueueServing[];
  schedulerIntervalSeconds: number;
  now: number;
  taskCount: number;
}

/** A tick older than this many intervals means no daemon runs the scheduler. */
const STALE_TICKS = 3;

export function listWarnings(input: WarningInput): string[] {
  const { status, queues, now } = input;
  const out: string[] = [];
  if (status.workers.length === 0) out.push("no worker is alive: jobs are not being run (start `scheduler start` or `scheduler worker`)");
  for (const q of queues) {
    const waiting = q.counts.queued ?? 0;
    if (waiting > 0 && q.busyWorkers + q.idleWorkers === 0 && status.workers.length > 0) {
      out.push(`queue ${q.name} has ${waiting} queued job(s) and no worker serves it`);
    }
  }
  const s = status.scheduler;
  if (!s.enabled) out.push("the scheduler is disabled: scheduled tasks do not fire (`scheduler enable`)");
  else if (s.paused) out.push("the scheduler is paused: scheduled tasks do not fire (`scheduler resume`)");
  else if (input.taskCount > 0) {
    const stale = s.lastTick === undefined || now - s.lastTick > STALE_TICKS * Math.max(1, input.schedulerIntervalSeconds) * 1000;
    if (!s.leader && stale) out.push("no daemon runs the scheduler: scheduled tasks do not fire");
  }
  const r = status.redis;
  if (r.aof === false && r.rdbSave !== undefined && r.rdbSave.trim() === "") {
    out.push("Redis has neither AOF nor RDB snapshots: queued jobs are lost if it restarts");
  }
  return out;
}
