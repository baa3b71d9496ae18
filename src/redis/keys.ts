/**
 * The only place Redis key names are built: `<prefix>:<kind>:<name>`.
 *
 * The prefix is wrapped in a hash tag (`{hs}`), so every key of one installation hashes to one
 * Redis Cluster slot and any Lua script may touch any of them. That trades cluster fan-out for
 * atomic multi-key moves, the same trade BullMQ makes per queue.
 */
import { DEFAULT_PREFIX } from "../config/defaults.js";

const SAFE_PREFIX = /^[A-Za-z0-9_.\-]+$/;

export interface Keys {
  readonly prefix: string;
  /** The hash-tagged root every key starts with, e.g. `{hs}`. */
  readonly root: string;
  /** Generic builder for kinds not listed below. */
  key(kind: string, name?: string): string;

  job(id: string): string;
  queue(name: string): string;
  /** Wake-up marker list a blocked worker waits on; pushed by enqueue and by promotion. */
  wake(name: string): string;
  started(queue: string): string;
  finished(queue: string): string;
  failed(queue: string): string;
  scheduled(queue: string): string;
  canceled(queue: string): string;
  /** Set of every queue name that ever held a job (for stats and the reaper). */
  queues(): string;
  /** Jobs waiting for a dependency: set of dependent ids per parent job. */
  dependents(id: string): string;
  /** Deferred registry of a queue: jobs waiting on dependencies (score: when deferred). */
  deferred(queue: string): string;
  /** Capped list of the ids of jobs enqueued from inside job `id` (its children). */
  children(id: string): string;
  /** Per-job list of attempt records (JSON). */
  attempts(id: string): string;

  workers(): string;
  worker(name: string): string;

  schedulerState(): string;
  schedulerLeader(): string;
  /** Hash n (number of the latest leader lease granted), at, token: the lease's fencing token. */
  schedulerFence(): string;
  /** Hash task -> last slot (ms) recorded with its enqueue. */
  lastSlots(): string;
  /** Hash task -> id of the job its last fire enqueued (for the overlap rule). */
  lastJobs(): string;
  /** Capped list of fire-ledger entries of one task. */
  ledger(task: string): string;

  events(): string;
  lock(name: string): string;
  /** Pub/sub channel a lock's release is announced on, so waiters wake at once. */
  lockReleased(name: string): string;
  rateLimit(queue: string): string;
  group(id: string): string;
  /** Pub/sub channel for publishRealtime. */
  realtime(event: string): string;
  /** Per-minute metrics history of a queue / a scheduled task (history_lib.lua writes them). */
  history(minute: number, queue: string): string;
  taskHistory(minute: number, task: string): string;
}

export function createKeys(prefix: string = DEFAULT_PREFIX): Keys {
  if (!SAFE_PREFIX.test(prefix)) {
    throw new Error(
      `key prefix "${prefix}" is not allowed: use letters, digits, "_", "-" or "." (no braces or colons)`,
    );
  }
  const root = `{${prefix}}`;
  const key = (kind: string, name?: string) => (name === undefined ? `${root}:${kind}` : `${root}:${kind}:${name}`);
  return {
    prefix,
    root,
    key,
    job: (id) => key("job", id),
    queue: (name) => key("queue", name),
    wake: (name) => key("wake", name),
    started: (q) => key("started", q),
    finished: (q) => key("finished", q),
    failed: (q) => key("failed", q),
    scheduled: (q) => key("scheduled", q),
    canceled: (q) => key("canceled", q),
    queues: () => key("queues"),
    dependents: (id) => key("dependents", id),
    deferred: (q) => key("deferred", q),
    children: (id) => key("children", id),
    attempts: (id) => key("attempts", id),
    workers: () => key("workers"),
    worker: (name) => key("worker", name),
    schedulerState: () => key("scheduler", "state"),
    schedulerLeader: () => key("scheduler", "leader"),
    schedulerFence: () => key("scheduler", "fence"),
    lastSlots: () => key("scheduler", "last-slots"),
    lastJobs: () => key("scheduler", "last-jobs"),
    ledger: (task) => key("ledger", task),
    events: () => key("events"),
    lock: (name) => key("lock", name),
    lockReleased: (name) => key("lock-released", name),
    rateLimit: (queue) => key("ratelimit", queue),
    group: (id) => key("group", id),
    realtime: (event) => `${prefix}:realtime:${event}`,
    history: (minute, queue) => key("history", `${minute}:${queue}`),
    taskHistory: (minute, task) => key("task-history", `${minute}:${task}`),
  };
}
