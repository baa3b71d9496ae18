/**
 * `scheduler jobs`: find jobs by queue and status without scanning the keyspace. Each
 * (queue, status) registry gives at most `limit` ids from its interesting end (next to run for
 * queued and scheduled, most recent for the retention registries), then one pipeline reads the
 * hashes. Two round trips whatever the number of queues.
 */
import type { QueueEnv } from "../queue/context.js";
import { decodeJob, isJobHash } from "../queue/job-codec.js";
import { knownQueues } from "../queue/registry.js";
import type { Job } from "../queue/types.js";
import { registryKey, STORED_STATUSES, type StoredStatus } from "./job-states.js";

export interface JobSearch {
  queue?: string;
  status?: StoredStatus;
  /** At most this many jobs (default 50). */
  limit?: number;
}

/** The time that best says when a job last did something, for newest-first ordering. */
export function lastActivity(job: Job): number {
  return job.endedAt ?? job.startedAt ?? job.enqueuedAt ?? job.scheduledAt ?? job.createdAt;
}

export async function searchJobs(env: QueueEnv, search: JobSearch = {}): Promise<Job[]> {
  const limit = search.limit ?? 50;
  if (limit <= 0) return [];
  const queues = search.queue ? [search.queue] : await knownQueues(env);
  const statuses: readonly StoredStatus[] = search.status ? [search.status] : STORED_STATUSES;
  const pipe = env.redis.pipeline();
  for (const q of queues) {
    for (const s of statuses) {
      const key = registryKey(env.keys, s, q);
      if (s === "queued") pipe.lrange(key, 0, limit - 1);
      // scheduled and started: soonest run-at / lease expiry first; retention registries:
      // score = expiry = end + retention, so the highest scores ended last.
      else if (s === "scheduled" || s === "started" || s === "deferred") pipe.zrange(key, 0, limit - 1);
      else pipe.zrevrange(key, 0, limit - 1);
    }
  }
  const ids = new Set<string>();
  for (const [err, rows] of (await pipe.exec()) ?? []) {
    if (err) throw err;
    for (const id of rows as string[]) ids.add(id);
  }
  // A job can move between the registry read and the hash read (canceled, started meanwhile);
  // a status filter shows only jobs that still have that status.
  const jobs = (await readJobs(env, [...ids])).filter((j) => !search.status || j.status === search.status);
  return jobs.sort((a, b) => lastActivity(b) - lastActivity(a)).slice(0, limit);
}

/** Job hashes in one pipeline; ids whose hash is gone (expired meanwhile) are dropped. */
export async function readJobs(env: QueueEnv, ids: string[]): Promise<Job[]> {
  if (ids.length === 0) return [];
  const pipe = env.redis.pipeline();
  for (const id of ids) pipe.hgetall(env.keys.job(id));
  const out: Job[] = [];
  for (const [i, [err, h]] of ((await pipe.exec()) ?? []).entries()) {
    if (err) throw err;
    const hash = h as Record<string, string>;
    if (isJobHash(hash)) out.push(decodeJob(hash, ids[i]));
  }
  return out;
}
