/**
 * Which queues this process listed in the queues set lately (per key set). Off the
 * installation's tag the set may be on another master than the jobs, so its SADD is answered
 * before the script that writes the jobs (job-scripts.ts runWritingJobScript): a round trip
 * more per enqueue. A queue listed in the last minute is not listed again, so a steady stream of
 * enqueues costs one round trip each, as on the installation layout. The minute bounds what a
 * set that lost the name (a failover before it replicated, a flushed database) can miss: the
 * next write to that queue after it lists it again.
 */
import type { Keys } from "../redis/keys.js";

const RELIST_AFTER_MS = 60_000;

const listedAt = new WeakMap<Keys, Map<string, number>>();

/** Of `queues`, those not listed by this process in the last minute before `now`. */
export function toList(keys: Keys, queues: readonly string[], now: number): string[] {
  const seen = listedAt.get(keys);
  if (!seen) return [...queues];
  return queues.filter((q) => {
    const at = seen.get(q);
    return at === undefined || now - at >= RELIST_AFTER_MS || now < at;
  });
}

/** `queues` were listed (the SADD answered) at `now`. */
export function markListed(keys: Keys, queues: readonly string[], now: number): void {
  let seen = listedAt.get(keys);
  if (!seen) listedAt.set(keys, (seen = new Map()));
  for (const q of queues) seen.set(q, now);
}
