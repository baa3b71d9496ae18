/** `scheduler jobs show ID`: the job, its attempts, and the jobs it is linked to. */
import type { QueueEnv } from "../queue/context.js";
import { getJobAttempts, getJobWith } from "../queue/registry.js";
import type { AttemptRecord, Job, JobStatus } from "../queue/types.js";
import { readEvents, type StoredEvent } from "../log/read-events.js";
import { jobField } from "../queue/job-fields.js";
import { readJobFields } from "../queue/find-job.js";
import { parseTraceparent } from "../telemetry/tracing.js";

export interface JobLink {
  id: string;
  /** undefined when the linked job's hash is gone (expired or purged). */
  status?: JobStatus;
  method?: string;
}

export interface JobDetail {
  job: Job;
  attempts: AttemptRecord[];
  /** The job that enqueued this one (enqueue from inside a running job). */
  parent?: JobLink;
  /** Jobs enqueued from inside this one (the newest ones, when capped). */
  children: JobLink[];
  /** Jobs waiting on this one (keys.dependents). */
  dependents: JobLink[];
  /** Jobs this one waits on. */
  dependsOn: JobLink[];
  /** logError() entries recorded while it ran (still in the capped events stream), oldest first. */
  errorLogs: StoredEvent[];
  /**
   * The OpenTelemetry trace the job belongs to (from the `traceparent` stored at enqueue, which
   * only a process with tracing on writes): what to search for in the tracing backend.
   */
  traceId?: string;
}

/** At most this many logError entries are shown per job. */
const ERROR_LOGS_SHOWN = 20;

async function links(env: QueueEnv, ids: string[]): Promise<JobLink[]> {
  // linked jobs may sit in other queues: read by id on every known queue's tag (find-job.ts)
  const rows = await readJobFields(env, ids, [jobField.status, jobField.method]);
  return ids.map((id, i) => {
    const [status, method] = rows[i] ?? [];
    return { id, ...(status ? { status: status as JobStatus } : {}), ...(method ? { method } : {}) };
  });
}

/** The whole record of one job, or null when there is no job with that id. */
export async function readJobDetail(env: QueueEnv, id: string): Promise<JobDetail | null> {
  const job = await getJobWith(env, id);
  if (!job) return null;
  // getJobWith fills job.children (ids of jobs enqueued from inside it) from the children list
  const [attempts, dependentIds, errorLogs] = await Promise.all([
    getJobAttempts(id, env),
    env.redis.smembers(env.keys.dependents(id)),
    // Bounded by the job's creation: the scan reads only the stream since then.
    readEvents(env.redis, env.keys, { since: job.createdAt, count: ERROR_LOGS_SHOWN, filter: { job: id, type: "log.error" } }),
  ]);
  const [parent] = job.parentId ? await links(env, [job.parentId]) : [];
  const traceId = parseTraceparent(job.traceparent)?.traceId;
  return {
    job,
    ...(traceId ? { traceId } : {}),
    attempts,
    ...(parent ? { parent } : {}),
    children: await links(env, job.children ?? []),
    dependents: await links(env, dependentIds.sort()),
    dependsOn: await links(env, job.dependsOn ?? []),
    errorLogs,
  };
}
