/**
 * Reading a job and the events the way the product does, whatever the key layout: on the
 * per-queue layout (issue 17, TEST_JOB_TAGS=queue) a job's keys are on its queue's tag and each
 * tag has its own events stream, so a test that read `keys.job(id)` or `keys.events()` by hand
 * would read the installation's tag only. These go through the product's own lookups (locateJob
 * over every known queue's tag, eventStreams), so the assertions stay the same on both layouts.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../../src/redis/keys.js";
import { locateJob } from "../../src/queue/find-job.js";
import { compareEntryIds, eventStreams } from "../../src/log/event-streams.js";

interface On {
  redis: Redis;
  keys: Keys;
}

/** The job's hash on whichever known queue's tag holds it ({} when none does). */
export async function jobHash(t: On, id: string): Promise<Record<string, string>> {
  return (await locateJob({ redis: t.redis, keys: t.keys, queues: {} }, id))?.hash ?? {};
}

/** The tag the job's keys are on (the installation's when no tag holds it). */
export async function jobTagOf(t: On, id: string): Promise<string> {
  return (await locateJob({ redis: t.redis, keys: t.keys, queues: {} }, id))?.tag ?? t.keys.root;
}

/** Every entry of every events stream of the installation, oldest first: [id, fields]. */
export async function eventEntries(t: On): Promise<Array<[string, string[]]>> {
  const streams = await eventStreams(t.redis, t.keys);
  const all = (await Promise.all(streams.map((s) => t.redis.xrange(s, "-", "+")))) as Array<Array<[string, string[]]>>;
  return all.flat().sort(([a], [b]) => compareEntryIds(a, b));
}

/** Every event of the installation, oldest first, parsed. */
export async function allEvents<E = Record<string, unknown>>(t: On): Promise<E[]> {
  return (await eventEntries(t)).map(([, fields]) => JSON.parse(fields[1] ?? "{}") as E);
}
