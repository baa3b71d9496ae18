/**
 * Reading the per-minute history (written by src/redis/lua/history_lib.lua) back as points of
 * `step` seconds: a minute's hash holds counts and non-cumulative bucket counts, so summing
 * minutes (and queues) field by field gives exact totals over any range.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../../redis/keys.js";
import { readPerTag } from "../../redis/tag-pipeline.js";
import { DURATION_BUCKETS_SECONDS } from "../../telemetry/duration-buckets.js";

export const MINUTE_MS = 60_000;
/** The history is kept this long (history_lib.lua HISTORY_TTL_MS). */
export const HISTORY_RETENTION_MS = 7 * 24 * 3600 * 1000;
/** At most this many points per answer (a chart has no use for more). */
export const MAX_POINTS = 2000;

export interface HistoryQuery {
  queue?: string;
  task?: string;
  from: number;
  to: number;
  stepSeconds: number;
}

export interface HistoryPoint {
  t: number;
  completed: number;
  failed: number;
  runBuckets: number[];
  waitBuckets: number[];
  runSumSeconds: number;
  waitSumSeconds: number;
}

export interface HistoryAnswer {
  queue: string | null;
  task: string | null;
  from: number;
  to: number;
  stepSeconds: number;
  bucketBounds: number[];
  points: HistoryPoint[];
}

/** Bad query parameters: the message names the parameter and what to pass. */
export class HistoryQueryError extends Error {}

function parseTime(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(n)) throw new HistoryQueryError(`${name}: "${raw}" is neither milliseconds since the epoch nor an ISO time (e.g. ${name}=2026-01-31T12:00:00Z)`);
  return n;
}

/** The query of GET /api/metrics/history, checked. Defaults: the last hour, one point a minute. */
export function parseHistoryQuery(q: Record<string, string | undefined>, now: number): HistoryQuery {
  const to = parseTime("to", q.to, now);
  const from = parseTime("from", q.from, to - 3600_000);
  if (from > to) throw new HistoryQueryError(`from (${new Date(from).toISOString()}) is after to (${new Date(to).toISOString()})`);
  const stepSeconds = q.step === undefined || q.step === "" ? 60 : Number(q.step);
  if (!Number.isInteger(stepSeconds) || stepSeconds < 60 || stepSeconds % 60 !== 0) {
    throw new HistoryQueryError(`step: "${q.step}" is not a whole number of minutes in seconds (60, 300, 3600, ...); the history is kept per minute`);
  }
  const points = Math.floor((to - from) / (stepSeconds * 1000)) + 1;
  if (points > MAX_POINTS) throw new HistoryQueryError(`step: ${stepSeconds} s over this range gives ${points} points, more than ${MAX_POINTS}: pass a larger step or a shorter range`);
  const out: HistoryQuery = { from, to, stepSeconds };
  if (q.queue) out.queue = q.queue;
  if (q.task) out.task = q.task;
  return out;
}

function emptyPoint(t: number): HistoryPoint {
  const n = DURATION_BUCKETS_SECONDS.length + 1;
  return { t, completed: 0, failed: 0, runBuckets: new Array<number>(n).fill(0), waitBuckets: new Array<number>(n).fill(0), runSumSeconds: 0, waitSumSeconds: 0 };
}

function addHash(p: HistoryPoint, h: Record<string, string>): void {
  for (const [f, v] of Object.entries(h)) {
    const n = Number(v);
    if (!Number.isFinite(n)) continue;
    if (f === "c") p.completed += n;
    else if (f === "f") p.failed += n;
    else if (f === "rs") p.runSumSeconds += n / 1000;
    else if (f === "ws") p.waitSumSeconds += n / 1000;
    else if (f[0] === "r" || f[0] === "w") {
      const i = Number(f.slice(1)) - 1;
      const arr = f[0] === "r" ? p.runBuckets : p.waitBuckets;
      if (i >= 0 && i < arr.length) arr[i]! += n;
    }
  }
}

/** A scheduled task as far as its history goes: its id and the queue its jobs go to. */
export interface HistoryTask {
  id: string;
  queue?: string;
}

/**
 * Points of `step` seconds aligned on multiples of the step (the first starts at or before
 * `from`) up to the minute of `to`, each summing the minutes it covers. A queue's minutes are
 * on its job tag, a task's on its queue's (history_lib.lua writes them from the job scripts):
 * one pipeline per tag, sent together (on the installation layout one pipeline, as before).
 * `tasks`: the hooks' scheduled tasks, where a task's queue is found.
 */
export async function readHistory(redis: Redis, keys: Keys, q: HistoryQuery, configuredQueues: string[], tasks: readonly HistoryTask[] = []): Promise<HistoryAnswer> {
  const stepMs = q.stepSeconds * 1000;
  const start = q.from - (q.from % stepMs);
  const lastMinute = q.to - (q.to % MINUTE_MS);
  const listed = async () => [...new Set([...configuredQueues, ...(await redis.smembers(keys.queues()))])];
  const queues = q.task ? [] : q.queue ? [q.queue] : await listed();
  const taskTags = q.task ? await historyTagsOfTask(redis, keys, q.task, tasks, listed) : [];
  const points: HistoryPoint[] = [];
  for (let t = start; t <= q.to; t += stepMs) points.push(emptyPoint(t));
  const reads: Array<{ key: string; tag: string; point: HistoryPoint }> = [];
  // steps are whole minutes, so `start` is a minute too: the first point covers its whole step
  for (let m = start; m <= lastMinute; m += MINUTE_MS) {
    const point = points[Math.floor((m - start) / stepMs)];
    if (!point) continue;
    if (q.task) {
      for (const tag of taskTags) reads.push({ key: keys.taskHistory(m, q.task, tag), tag, point });
    } else {
      for (const queue of queues) reads.push({ key: keys.history(m, queue), tag: keys.jobTag(queue), point });
    }
  }
  const replies = reads.length ? await readPerTag(redis, reads, (r) => r.tag, (pipe, r) => pipe.hgetall(r.key)) : [];
  replies.forEach(([h], i) => addHash(reads[i]!.point, h as Record<string, string>));
  return {
    queue: q.task ? null : (q.queue ?? null),
    task: q.task ?? null,
    from: q.from,
    to: q.to,
    stepSeconds: q.stepSeconds,
    bucketBounds: [...DURATION_BUCKETS_SECONDS],
    points,
  };
}

/**
 * The tags a task's history is on: the installation's on its layout; on the per-queue layout
 * its queue's (from the hooks), or, for a task the hooks do not name, every listed queue's.
 */
async function historyTagsOfTask(redis: Redis, keys: Keys, task: string, tasks: readonly HistoryTask[], listed: () => Promise<string[]>): Promise<string[]> {
  if (keys.jobTags === "installation") return [keys.root];
  const queue = tasks.find((t) => t.id === task)?.queue;
  if (queue !== undefined) return [keys.jobTag(queue)];
  return [...new Set((await listed()).map((q) => keys.jobTag(q)))];
}
