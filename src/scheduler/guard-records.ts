/**
 * Reading the enqueue guard's records (issue 17): the guard writes a task's slot record, last
 * job, runs set and enqueue counters on the tag its jobs are enqueued on (its queue's jobTag,
 * src/queue/push.ts), so they stay atomic with the enqueue; the scheduler's skips and baselines
 * write the slot record there too (skips.ts); the ledger counts stay on the installation's tag.
 * On the installation layout both are one key and these reads add nothing; on the per-queue
 * layout a task's record is the newer of the two (the installation's may hold records of
 * before), read with one pipeline per queue tag, sent together (readPerTag).
 */
import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.js";
import { groupByTag, readPerTag } from "../redis/tag-pipeline.js";

/** A task as far as where its records are: its id and the queue its jobs go to. */
export interface GuardedTask {
  id: string;
  queue?: string;
}

/** The tag of a task's guard records: its queue's job tag (the installation's when unknown). */
export function guardTag(keys: Keys, task: GuardedTask): string {
  return task.queue === undefined ? keys.root : keys.jobTag(task.queue);
}

/**
 * The slot records the enqueue guard wrote off the installation's tag, per task (null: none
 * there), or undefined when every task's are on the installation's tag (nothing to read).
 */
export async function readTagSlots(redis: Redis, keys: Keys, tasks: readonly GuardedTask[]): Promise<Array<string | null> | undefined> {
  // every tick reads through here: on the installation layout there is nothing to group
  if (keys.jobTags === "installation") return undefined;
  const groups = groupByTag(tasks.map((task, index) => ({ task, index })), ({ task }) => guardTag(keys, task)).filter((g) => g.tag !== keys.root);
  if (groups.length === 0) return undefined;
  // one HMGET per tag, its ids as one array: 100 000 spread arguments would overflow the stack
  const replies = await readPerTag(redis, groups, (g) => g.tag, (pipe, g) => pipe.call("hmget", [keys.lastSlots(g.tag), ...g.items.map(({ task }) => task.id)]));
  const out: Array<string | null> = new Array(tasks.length).fill(null);
  groups.forEach((g, i) => g.items.forEach(({ index }, k) => (out[index] = (replies[i]![0] as Array<string | null>)[k] ?? null)));
  return out;
}

/** The newer of a task's two slot records (the installation's and its queue tag's). */
export function newerSlots(root: ReadonlyArray<string | null | undefined>, tagged: ReadonlyArray<string | null | undefined> | undefined): Array<string | null> {
  if (!tagged) return root.map((v) => v ?? null);
  return root.map((a, i) => {
    const b = tagged[i];
    if (a == null) return b ?? null;
    if (b == null) return a;
    return Number(b) > Number(a) ? b : a;
  });
}

/** The installation's slot records of `tasks`, each merged with its queue tag's. */
export async function readLastSlots(redis: Redis, keys: Keys, tasks: readonly GuardedTask[]): Promise<Array<string | null>> {
  if (tasks.length === 0) return [];
  const [root, tagged] = await Promise.all([
    redis.call("hmget", [keys.lastSlots(), ...tasks.map((t) => t.id)]) as Promise<Array<string | null>>,
    readTagSlots(redis, keys, tasks),
  ]);
  return newerSlots(root, tagged);
}

/**
 * Every task's slot record as one map (the metrics' last-slot figures): the installation's hash
 * (`root`, read by the caller in its own pipeline) with each listed queue tag's merged in, the
 * newer winning; the queue tags are read only off the installation's tag (one pipeline each,
 * sent together).
 */
export async function allLastSlots(redis: Redis, keys: Keys, root: Record<string, string>, queues: readonly string[]): Promise<Map<string, number>> {
  const tags = [...new Set(queues.map((q) => keys.jobTag(q)))].filter((tag) => tag !== keys.root);
  const hashes = tags.length ? (await readPerTag(redis, tags, (tag) => tag, (pipe, tag) => pipe.hgetall(keys.lastSlots(tag)))).map((r) => r[0] as Record<string, string>) : [];
  const out = new Map<string, number>();
  for (const hash of [root, ...hashes]) {
    for (const [task, v] of Object.entries(hash)) {
      const n = Number(v);
      if (Number.isFinite(n) && !(n <= (out.get(task) ?? -Infinity))) out.set(task, n);
    }
  }
  return out;
}
