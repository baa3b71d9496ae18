/**
 * The jobs a worker holds leases on, read from Redis: the source of truth when the
 * supervisor's picture from pulses may be behind (a child whose event loop is blocked, a child
 * that died between two pulses). Read-only, so a pipeline rather than a script.
 */
import type { QueueEnv } from "../queue/context.js";
import type { RunningJobNote } from "./protocol.js";
import { hardDeadline, jobLimit, timeoutMessage } from "./deadline.js";
import { jobField } from "../queue/job-fields.js";
import { readPerTagSettled } from "../redis/tag-pipeline.js";

export async function leasedJobs(env: QueueEnv, worker: string, queues: string[]): Promise<RunningJobNote[]> {
  const ids = await Promise.all(queues.map((q) => env.redis.zrange(env.keys.started(q), 0, -1)));
  const candidates = queues.flatMap((queue, i) => ids[i]!.map((id) => ({ id, queue })));
  if (candidates.length === 0) return [];
  // each job's hash on its queue's tag: one pipeline per tag, sent together (tag-pipeline.ts)
  const rows = await readPerTagSettled(env.redis, candidates, (c) => env.keys.jobTag(c.queue), (pipe, c) =>
    pipe.hmget(env.keys.job(c.id, env.keys.jobTag(c.queue)), jobField.status, jobField.worker, jobField.startedAt, jobField.timeout, jobField.method),
  );
  const leased: RunningJobNote[] = [];
  candidates.forEach((c, i) => {
    const [err, row] = rows[i]?.[0] ?? [];
    if (err || !Array.isArray(row)) return;
    const [status, owner, startedAt, timeout, method] = row as Array<string | null>;
    if (status !== "started" || owner !== worker) return;
    const limit = jobLimit({ queue: c.queue, timeout: Number(timeout) }, env.queues);
    leased.push({
      id: c.id,
      queue: c.queue,
      deadline: hardDeadline(Number(startedAt), limit),
      limit: timeoutMessage(limit),
      ...(method ? { method } : {}),
      startedAt: Number(startedAt),
    });
  });
  return leased;
}
