/**
 * The names of a partitioned queue's partitions (issue 17; hooks `queues.<name>.partitions: N`).
 * A queue's keys are on one hash tag, so on a Redis Cluster one queue is one slot of one master
 * however busy it is. A partitioned queue is N queues under one name: partition 0 is the queue
 * itself (`hot`, so a queue that gains partitions keeps its jobs and keys), partition i its own
 * queue `hot~i` with its own tag on the per-queue layout. Everything that works on a queue (the
 * scripts, the keys, the registries, the readers) works on a partition unchanged: this file only
 * maps between the name users write and the partitions their jobs are in. "~" cannot be in a
 * queue's name (validate.ts), so a partition's name never meets a queue's. Which partition a new
 * job goes to: src/queue/partitions.ts.
 */
import type { QueueConfig } from "./types.js";

export const PARTITION_MARK = "~";

/** The queue name of partition `index` of `queue` (0: the queue itself). */
export function partitionName(queue: string, index: number): string {
  return index === 0 ? queue : `${queue}${PARTITION_MARK}${index}`;
}

/** The queue a partition belongs to (a plain queue's name is its own). */
export function queueOfPartition(name: string): string {
  const i = name.indexOf(PARTITION_MARK);
  return i < 0 ? name : name.slice(0, i);
}

/** A queue's settings, looked up by a partition's name too (a job's `queue` is its partition). */
export function queueSettings<T extends Pick<QueueConfig, "partitions">>(queues: Record<string, T>, name: string): T | undefined {
  const own = Object.prototype.hasOwnProperty.call(queues, name) ? queues[name] : undefined;
  if (own !== undefined) return own;
  const base = queueOfPartition(name);
  return base !== name && Object.prototype.hasOwnProperty.call(queues, base) ? queues[base] : undefined;
}

export function partitionCount(queues: Record<string, Pick<QueueConfig, "partitions">>, queue: string): number {
  return queueSettings(queues, queue)?.partitions ?? 1;
}

/** Every partition of `queue` its settings name, partition 0 first. */
export function partitionNames(queues: Record<string, Pick<QueueConfig, "partitions">>, queue: string): string[] {
  return Array.from({ length: partitionCount(queues, queue) }, (_, i) => partitionName(queue, i));
}

/**
 * The partitions a worker of `queues` serves, grouped in the order given: those the settings name,
 * and any other partition of theirs that Redis lists (`listed`, the queues set), so that a queue
 * whose `partitions` was lowered still has the jobs of its higher partitions run.
 */
export function servedPartitions(
  settings: Record<string, Pick<QueueConfig, "partitions">>,
  queues: readonly string[],
  listed: readonly string[] = [],
): string[] {
  const out: string[] = [];
  for (const q of queues) {
    const own = partitionNames(settings, q);
    const extra = listed.filter((name) => name !== q && queueOfPartition(name) === q && !own.includes(name)).sort(byIndex);
    out.push(...own, ...extra);
  }
  return [...new Set(out)];
}

function byIndex(a: string, b: string): number {
  return Number(a.slice(a.indexOf(PARTITION_MARK) + 1)) - Number(b.slice(b.indexOf(PARTITION_MARK) + 1));
}

/** The listed queue names that are `queue` or one of its partitions. */
export function partitionsListed(listed: readonly string[], queue: string): string[] {
  return listed.filter((name) => name === queue || queueOfPartition(name) === queue);
}

