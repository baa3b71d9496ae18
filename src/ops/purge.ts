/**
 * Frappe's purge-jobs: delete jobs that have not run (or are done), by queue, status and task.
 *
 * Default status is "queued", as in Frappe (`bench purge-jobs` deletes pending jobs of a queue or
 * of an event); scheduled, deferred, failed, finished and canceled jobs can be purged by naming
 * the status. Started jobs never are: their worker holds them. Jobs that depend on a purged job
 * are canceled with it unless they allow failure (the queue's dependency rule).
 *
 * Each page of PURGE_BATCH ids is read, checked and deleted by one script (purge.lua), so what
 * is checked is what is deleted, and no single call holds Redis for long.
 */
import { applyPendingForward } from "../queue/forward-records.js";
import type { QueueEnv } from "../queue/context.js";
import { runJobScript } from "../queue/job-scripts.js";
import { scriptResult } from "../redis/script-results.js";
import { knownQueues } from "../queue/registry.js";
import { partitionsListed } from "../config/partition-names.js";
import { registryKey, type StoredStatus } from "./job-states.js";
import { jobField } from "../queue/job-fields.js";

/** Started jobs belong to their worker and are never purged. */
export type PurgeStatus = Exclude<StoredStatus, "started">;
export const PURGEABLE: readonly PurgeStatus[] = ["queued", "scheduled", "deferred", "failed", "finished", "canceled"];

export interface PurgeFilter {
  /** Default: every known queue. */
  queue?: string;
  /** Default: "queued". */
  status?: PurgeStatus;
  /** Only jobs whose method (or scheduled task) is this dotted path. */
  task?: string;
}

/** Ids read and deleted per script call: bounds how long one call holds Redis. */
export const PURGE_BATCH = 500;

function pageOf(env: QueueEnv, status: PurgeStatus, queue: string, offset: number): Promise<string[]> {
  const key = registryKey(env.keys, status, queue);
  const end = offset + PURGE_BATCH - 1;
  return status === "queued" ? env.redis.lrange(key, offset, end) : env.redis.zrange(key, offset, end);
}

async function queuesOf(env: QueueEnv, f: PurgeFilter): Promise<string[]> {
  // a queue named with partitions is every partition of it (src/config/partition-names.ts)
  return f.queue ? partitionsListed(await knownQueues(env), f.queue) : knownQueues(env);
}

/** How many jobs a purge with this filter would delete now (for the confirmation question). */
export async function countPurgeable(env: QueueEnv, f: PurgeFilter): Promise<Record<string, number>> {
  const status = f.status ?? "queued";
  const out: Record<string, number> = {};
  for (const q of await queuesOf(env, f)) {
    const key = registryKey(env.keys, status, q);
    if (!f.task) {
      out[q] = status === "queued" ? await env.redis.llen(key) : await env.redis.zcard(key);
      continue;
    }
    let n = 0;
    for (let offset = 0; ; offset += PURGE_BATCH) {
      const ids = await pageOf(env, status, q, offset);
      if (ids.length === 0) break;
      const pipe = env.redis.pipeline();
      for (const id of ids) pipe.hmget(env.keys.job(id, env.keys.jobTag(q)), jobField.method, jobField.task);
      for (const [err, row] of (await pipe.exec()) ?? []) {
        if (err) throw err;
        const [method, task] = row as Array<string | null>;
        if (method === f.task || task === f.task) n++;
      }
      if (ids.length < PURGE_BATCH) break;
    }
    out[q] = n;
  }
  return out;
}

/** Delete the matching jobs; returns how many per queue (queues with none are left out). */
export async function purgeJobs(env: QueueEnv, f: PurgeFilter): Promise<Record<string, number>> {
  const status = f.status ?? "queued";
  const out: Record<string, number> = {};
  for (const q of await queuesOf(env, f)) {
    let total = 0;
    // Deleted ids leave the list/set, so the next page starts where the kept ones end.
    for (let offset = 0; ; ) {
      const { deleted, scanned } = scriptResult.purge(await runJobScript(env, "purge", [q, status, f.task ?? "", offset, PURGE_BATCH], [], env.keys.jobTag(q)));
      total += deleted;
      offset += scanned - deleted;
      if (scanned < PURGE_BATCH) break;
    }
    if (total > 0) await applyPendingForward(env, env.keys.jobTag(q)); // the dependents elsewhere of what it deleted
    if (total > 0) out[q] = total;
  }
  return out;
}
