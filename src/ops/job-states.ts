/**
 * Where jobs of each status live, for the read models that walk them: the queue list for
 * "queued" (RQ's pending), a sorted set per queue for the others.
 */
import type { Keys } from "../redis/keys.js";
import type { JobStatus } from "../queue/types.js";

/** Statuses a job in Redis can have, each with its own registry. */
export const STORED_STATUSES = ["queued", "started", "scheduled", "deferred", "failed", "finished", "canceled"] as const;
export type StoredStatus = (typeof STORED_STATUSES)[number];


/** "pending" is RQ's and getQueueStats()'s word for queued. */
export function parseStatus(text: string): StoredStatus | undefined {
  const s = text.trim().toLowerCase();
  if (s === "pending") return "queued";
  return (STORED_STATUSES as readonly string[]).includes(s) ? (s as StoredStatus) : undefined;
}

/** The list (queued) or sorted set holding a queue's jobs of one status. */
export function registryKey(keys: Keys, status: StoredStatus, queue: string): string {
  switch (status) {
    case "deferred":
      return keys.deferred(queue);
    case "queued":
      return keys.queue(queue);
    case "started":
      return keys.started(queue);
    case "scheduled":
      return keys.scheduled(queue);
    case "failed":
      return keys.failed(queue);
    case "finished":
      return keys.finished(queue);
    case "canceled":
      return keys.canceled(queue);
  }
}

export function isStoredStatus(s: JobStatus): s is StoredStatus {
  return (STORED_STATUSES as readonly string[]).includes(s);
}
