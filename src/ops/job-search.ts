/**
 * `scheduler jobs`: find jobs by queue and status without scanning the keyspace. Each
 * (queue, status) registry gives at most `limit` ids from its interesting end (next to run for
 * queued and scheduled, most recent for the retention registries), then the hashes are read.
 * Two round trips whatever the number of queues: each read is one pipeline per job tag, sent
 * together (src/redis/tag-pipeline.ts; on the installation layout one pipeline, as before).
 */
import type { QueueEnv } from "../queue/context.js";
import { decodeJob, isJobHash } from "../queue/job-codec.js";
import { jobTagsToProbe } from "../queue/find-job.js";
import { knownQueues } from "../queue/registry.js";
import { partitionsListed } from "../config/partition-names.js";
import { readPerTag } from "../redis/tag-pipeline.js";
import type { Job } from "../queue/types.js";
import { registryKey, STORED_STATUSES, type StoredStatus } from "./job-states.js";

export interface JobSearch {
  queue?: string;
  status?: StoredStatus;
  /** At most this many jobs (default 50). */
  limit?: number;
}

/** A job id with the queue it was listed in: the queue says which tag its hash is on. */
export interface JobRef {
  id: string;
  queue: string;
}

/** The time that best says when a job last did something, for newest-first ordering. */
export function lastActivity(job: Job): number {
  return job.endedAt ?? job.startedAt ?? job.enqueuedAt ?? job.scheduledAt ?? job.createdAt;
}

export async function searchJobs(env: QueueEnv, search: JobSearch = {}): Promise<Job[]> {
  const limit = search.limit ?? 50;
  if (limit <= 0) return [];
  // a queue named with partitions is every partition of it (src/config/partition-names.ts)
  const queues = search.queue ? partitionsListed(await knownQueues(env), search.queue) : await knownQueues(env);
  const statuses: readonly StoredStatus[] = search.status ? [search.status] : STORED_STATUSES;
  const registries = queues.flatMap((queue) => statuses.map((status) => ({ queue, status })));
  const rows = await readPerTag(env.redis, registries, (r) => env.keys.jobTag(r.queue), (pipe, { queue, status }) => {
    const key = registryKey(env.keys, status, queue);
    if (status === "queued") pipe.lrange(key, 0, limit - 1);
    // scheduled and started: soonest run-at / lease expiry first; retention registries:
    // score = expiry = end + retention, so the highest scores ended last.
    else if (status === "scheduled" || status === "started" || status === "deferred") pipe.zrange(key, 0, limit - 1);
    else pipe.zrevrange(key, 0, limit - 1);
  });
  // one read per job hash (an id listed twice on one tag is one job)
  const refs = new Map<string, JobRef>();
  registries.forEach(({ queue }, i) => {
    for (const id of rows[i]![0] as string[]) {
      const key = env.keys.job(id, env.keys.jobTag(queue));
      if (!refs.has(key)) refs.set(key, { id, queue });
    }
  });
  // A job can move between the registry read and the hash read (canceled, started meanwhile);
  // a status filter shows only jobs that still have that status.
  const jobs = (await readJobs(env, [...refs.values()])).filter((j) => !search.status || j.status === search.status);
  return jobs.sort((a, b) => lastActivity(b) - lastActivity(a)).slice(0, limit);
}

/**
 * Job hashes of jobs listed in known queues, one pipeline per job tag (sent together); jobs
 * whose hash is gone (expired meanwhile) are dropped.
 */
export async function readJobs(env: Pick<QueueEnv, "redis" | "keys">, refs: readonly JobRef[]): Promise<Job[]> {
  if (refs.length === 0) return [];
  const rows = await readPerTag(env.redis, refs, (r) => env.keys.jobTag(r.queue), (pipe, r) => pipe.hgetall(env.keys.job(r.id, env.keys.jobTag(r.queue))));
  const out: Job[] = [];
  refs.forEach((r, i) => {
    const hash = rows[i]![0] as Record<string, string>;
    if (isJobHash(hash)) out.push(decodeJob(hash, r.id));
  });
  return out;
}

/**
 * Job hashes by id alone (the queue unknown): on the installation layout one pipeline on its
 * tag, as before; otherwise probed on every known queue's tag (src/queue/find-job.ts), the one
 * enqueued last taken should two queues hold an id.
 */
export async function readJobsById(env: Pick<QueueEnv, "redis" | "keys" | "queues">, ids: readonly string[]): Promise<Job[]> {
  if (ids.length === 0) return [];
  const tags = env.keys.jobTags === "installation" ? [env.keys.root] : await jobTagsToProbe(env);
  const probes = tags.flatMap((tag) => ids.map((id) => ({ id, tag })));
  const rows = await readPerTag(env.redis, probes, (p) => p.tag, (pipe, p) => pipe.hgetall(env.keys.job(p.id, p.tag)));
  const found = new Map<string, Record<string, string>>();
  probes.forEach((p, i) => {
    const hash = rows[i]![0] as Record<string, string>;
    const before = found.get(p.id);
    if (isJobHash(hash) && (!before || Number(hash.enqueuedAt ?? 0) > Number(before.enqueuedAt ?? 0))) found.set(p.id, hash);
  });
  return ids.flatMap((id) => {
    const hash = found.get(id);
    return hash ? [decodeJob(hash, id)] : [];
  });
}
