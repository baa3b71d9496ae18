/**
 * Where every job id is, registry by registry (queued, started, finished, failed, scheduled,
 * canceled, deferred), read in one MULTI per job tag so the snapshot is atomic even while workers
 * move jobs.
 * Shared by the worker tests and the reliability suite's accounting.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../../src/redis/keys.js";

export const REGISTRY_KINDS = ["started", "finished", "failed", "scheduled", "canceled", "deferred"] as const;

export async function census(t: { redis: Redis; keys: Keys }, queues: string[]): Promise<Map<string, string[]>> {
  // One MULTI per job tag (a cluster refuses one across slots): a job never moves between
  // queues, so a snapshot atomic per tag is atomic for every job.
  const byTag = new Map<string, string[]>();
  for (const q of queues) byTag.set(t.keys.jobTag(q), [...(byTag.get(t.keys.jobTag(q)) ?? []), q]);
  const where = new Map<string, string[]>();
  await Promise.all(
    [...byTag.values()].map(async (group) => {
      const places: string[] = [];
      const multi = t.redis.multi();
      for (const q of group) {
        multi.lrange(t.keys.queue(q), 0, -1);
        places.push(`queued:${q}`);
        for (const kind of REGISTRY_KINDS) {
          multi.zrange(t.keys[kind](q), 0, -1);
          places.push(`${kind}:${q}`);
        }
      }
      const replies = (await multi.exec()) ?? [];
      replies.forEach(([err, ids], i) => {
        if (err) throw err;
        for (const id of ids as string[]) where.set(id, [...(where.get(id) ?? []), places[i]!]);
      });
    }),
  );
  return where;
}
