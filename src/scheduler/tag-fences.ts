/**
 * The leader's fence on the queues' tags (issue 17, the per-queue layout). The lease's fence hash
 * is on the installation's tag, so an enqueue on a queue's tag cannot compare its number with the
 * lease: each queue tag keeps the highest lease number it has seen, and refuses a lower one
 * (fence_lib.lua fence_raise). A stale leader could still fire on a tag no newer number reached
 * yet, so a new leader writes its number to every queue tag it serves before it fires anywhere.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.js";
import { scriptResult } from "../redis/script-results.js";
import { runScript } from "../redis/scripts.js";
import { readPerTag } from "../redis/tag-pipeline.js";

/** The tags of `queues` off the installation's (none on the installation layout). */
function queueTags(keys: Keys, queues: Iterable<string>): string[] {
  const tags = new Set<string>();
  for (const q of queues) if (keys.jobTag(q) !== keys.root) tags.add(keys.jobTag(q));
  return [...tags];
}

/**
 * Raise the fence of every tag of `queues` off the installation's (none on the installation
 * layout: no call) to `fence`, one script per tag, sent together. False when a tag holds a newer
 * number: another daemon was granted the lease since ours.
 */
export async function raiseTagFences(redis: Redis, keys: Keys, queues: Iterable<string>, fence: number): Promise<boolean> {
  const raised = await Promise.all(queueTags(keys, queues).map(async (tag) => scriptResult.scheduler_fence_raise(await runScript(redis, "scheduler_fence_raise", [keys.schedulerFence(tag)], [fence]))));
  return raised.every(Boolean);
}

/**
 * The highest lease number the tags of `queues` hold (0: none), one read per tag, sent together:
 * the floor of the next grant (lease_lib.lua grant_fenced). A failover of `{prefix}`'s master
 * may lose the latest grants (replication is asynchronous) while a queue tag kept their number;
 * without the floor the next leader's number would be refused there until the lease's counter
 * passed it by itself.
 */
export async function highestTagFence(redis: Redis, keys: Keys, queues: Iterable<string>): Promise<number> {
  const tags = queueTags(keys, queues);
  if (tags.length === 0) return 0;
  const replies = await readPerTag(redis, tags, (tag) => tag, (pipe, tag) => pipe.hget(keys.schedulerFence(tag), "n"));
  return replies.reduce((max, [n]) => Math.max(max, Number(n) || 0), 0);
}
