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

/**
 * Raise the fence of every tag of `queues` off the installation's (none on the installation
 * layout: no call) to `fence`, one script per tag, sent together. False when a tag holds a newer
 * number: another daemon was granted the lease since ours.
 */
export async function raiseTagFences(redis: Redis, keys: Keys, queues: Iterable<string>, fence: number): Promise<boolean> {
  const tags = new Set<string>();
  for (const q of queues) if (keys.jobTag(q) !== keys.root) tags.add(keys.jobTag(q));
  const raised = await Promise.all([...tags].map(async (tag) => scriptResult.scheduler_fence_raise(await runScript(redis, "scheduler_fence_raise", [keys.schedulerFence(tag)], [fence]))));
  return raised.every(Boolean);
}
