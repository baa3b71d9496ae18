/**
 * Dequeue over several queues when their job keys may be on several tags (issue 17): a script
 * keeps to one tag, so the queues, in the order they are served (priority, or round robin's
 * rotation), are cut into runs of consecutive queues of one tag, and each run is one dequeue.lua
 * call, in order, until one answers with a job. On the installation layout every queue is on one
 * tag: one run, one call, as before.
 */
import type { QueueEnv } from "./context.js";
import type { Keys } from "../redis/keys.js";
import { decodeJob } from "./job-codec.js";
import { runJobScript } from "./job-scripts.js";
import { scriptResult } from "../redis/script-results.js";
import type { Job } from "./types.js";
import { queueOfPartition } from "../config/partition-names.js";

export interface DequeueOptions {
  queues: string[];
  worker: string;
  leaseMs: number;
  strategy?: "priority" | "round_robin";
}

/** Where each round-robin worker, and each worker's partitioned queue, starts next time. */
const rotation = new Map<string, number>();

function rotated<T>(items: readonly T[], key: string): T[] {
  const start = (rotation.get(key) ?? 0) % items.length;
  rotation.set(key, start + 1);
  return [...items.slice(start), ...items.slice(0, start)];
}

/**
 * The queues cut into runs of one queue's partitions (consecutive, as servedPartitions lists
 * them: src/config/partition-names.ts), or undefined when no queue has more than one. Every
 * dequeue orders its queues, and a worker's list never changes: worked out once per list.
 */
const partitionRuns = new WeakMap<readonly string[], string[][] | null>();

function runsOfPartitions(queues: readonly string[]): string[][] | undefined {
  let runs = partitionRuns.get(queues);
  if (runs === undefined) {
    const cut: string[][] = [];
    for (const q of queues) {
      const last = cut[cut.length - 1];
      if (last !== undefined && queueOfPartition(last[0]!) === queueOfPartition(q)) last.push(q);
      else cut.push([q]);
    }
    runs = cut.length === queues.length ? null : cut;
    partitionRuns.set(queues, runs);
  }
  return runs ?? undefined;
}

/**
 * The queues in the order this dequeue serves them: round_robin rotates the start per call; the
 * partitions of one queue take turns at its place in either order, so a busy partition does not
 * keep the others waiting.
 */
export function orderQueues(o: DequeueOptions): string[] {
  if (o.queues.length < 2) return o.queues;
  const runs = runsOfPartitions(o.queues);
  if (runs === undefined) return o.strategy === "round_robin" ? rotated(o.queues, o.worker) : o.queues;
  const inTurn = runs.map((g) => (g.length > 1 ? rotated(g, `${o.worker}\t${queueOfPartition(g[0]!)}`) : g));
  return (o.strategy === "round_robin" ? rotated(inTurn, o.worker) : inTurn).flat();
}

export interface TagRun {
  tag: string;
  queues: string[];
}

/** Consecutive queues of one job tag, in order. */
export function tagRuns(keys: Keys, queues: readonly string[]): TagRun[] {
  if (keys.jobTags === "installation") return queues.length === 0 ? [] : [{ tag: keys.root, queues: [...queues] }];
  const runs: TagRun[] = [];
  for (const q of queues) {
    const tag = keys.jobTag(q);
    const last = runs[runs.length - 1];
    if (last?.tag === tag) last.queues.push(q);
    else runs.push({ tag, queues: [q] });
  }
  return runs;
}

/** True when the job keys of every queue are on `tag`. */
export function allOnTag(keys: Keys, queues: readonly string[], tag: string): boolean {
  return queues.every((q) => keys.jobTag(q) === tag);
}

/** The one tag all `queues` are on, or undefined when they span several (or none are given). */
export function sharedTag(keys: Keys, queues: readonly string[]): string | undefined {
  if (queues.length === 0) return undefined;
  const tag = keys.jobTag(queues[0]!);
  return allOnTag(keys, queues, tag) ? tag : undefined;
}

/** Lease the first job of `queues`, already in serving order: one dequeue.lua call per tag run. */
export async function takeInOrder(env: QueueEnv, o: Pick<DequeueOptions, "worker" | "leaseMs">, queues: readonly string[]): Promise<Job | null> {
  for (const run of tagRuns(env.keys, queues)) {
    const raw = scriptResult.dequeue(await runJobScript(env, "dequeue", [o.worker, Math.round(o.leaseMs), ...run.queues], [], run.tag));
    if (raw) return decodeJob(raw);
  }
  return null;
}
