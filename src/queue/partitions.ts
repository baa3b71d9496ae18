/**
 * Which partition of a partitioned queue a new job goes to (the names: src/config/partition-names.ts),
 * first that applies:
 * - a scheduled task's job: partition 0, where its one-enqueue-per-slot record is (the guard keeps
 *   the record with the enqueue, so a task must always land on one tag);
 * - a `partitionKey` (an enqueue option naming a kwargs path, e.g. "customer.id"): the hash of
 *   that value, so the jobs of one key stay in one partition, in order;
 * - a chosen id (jobId, or jobName with deduplicate): the hash of the id, so the check that an id
 *   is taken stays one script on one tag;
 * - otherwise round robin, per process and queue.
 */
import { createHash } from "node:crypto";
import { EnqueueError } from "../base/errors.js";
import { partitionName } from "../config/partition-names.js";

export interface PartitionChoice {
  count: number;
  kwargs: Record<string, unknown>;
  /** A kwargs path (dotted): its value picks the partition. */
  partitionKey?: string;
  /** A chosen job id. */
  jobId?: string;
  /** A scheduled task's job (the guard's record is on partition 0). */
  scheduled?: boolean;
}

const nextRoundRobin = new Map<string, number>();

/** The partition a new job of `queue` goes to (rules in the header). */
export function choosePartition(queue: string, c: PartitionChoice): string {
  // the scheduled job first: nothing may move it off the tag of its slot record
  if (c.count <= 1 || c.scheduled) return queue;
  if (c.partitionKey !== undefined) return partitionName(queue, hashIndex(keyValue(c.kwargs, c.partitionKey), c.count));
  if (c.jobId !== undefined) return partitionName(queue, hashIndex(c.jobId, c.count));
  const i = nextRoundRobin.get(queue) ?? 0;
  nextRoundRobin.set(queue, (i + 1) % c.count);
  return partitionName(queue, i % c.count);
}

function keyValue(kwargs: Record<string, unknown>, path: string): string {
  let value: unknown = kwargs;
  for (const part of path.split(".")) {
    value = typeof value === "object" && value !== null && Object.prototype.hasOwnProperty.call(value, part) ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  throw new EnqueueError("BAD_OPTION", `enqueue: partitionKey "${path}" names ${value === undefined ? "no value" : `a ${value === null ? "null" : typeof value}`} in kwargs`, {
    hint: "name a kwarg (or a dotted path into one) holding a string or a number, e.g. partitionKey: \"customer_id\"",
  });
}

/** A stable spread of `text` over `count` partitions: the same text always gets the same index. */
function hashIndex(text: string, count: number): number {
  return createHash("sha1").update(text).digest().readUInt32BE(0) % count;
}
