/**
 * The only place Redis key names are built: `<tag>:<kind>:<name>`.
 *
 * Two kinds of hash tag (docs/architecture.md "Redis topologies"): the installation tag `{hs}`
 * and one tag per queue, `{hs:<queue>}`. A Lua script touches the keys of one tag only, so on a
 * Redis Cluster each tag is one slot and different queues can live on different masters. By
 * default the job keys still sit on the installation tag (some job scripts link jobs of two
 * queues in one call); `jobTags: "queue"` puts each queue's job keys on its own tag.
 */
import { DEFAULT_PREFIX } from "../config/defaults.js";

const SAFE_PREFIX = /^[A-Za-z0-9_.\-]+$/;

/**
 * Which tag a queue's job keys are on (issue 17): "installation" (the default, today's layout:
 * every queue on `{prefix}`) or "queue" (each queue its own tag `{prefix:<queue>}`, its own
 * shard on a Redis Cluster). "queue" is not the default yet: scripts that link jobs of two
 * queues (dependencies, children, follow-ups) still need the installation tag (docs/architecture.md "What is left before the flip").
 */
export type JobTagLayout = "installation" | "queue";

export interface KeysOptions {
  jobTags?: JobTagLayout;
}

export interface Keys {
  readonly prefix: string;
  /** The installation's hash tag every installation-wide key starts with, e.g. `{hs}`. */
  readonly root: string;
  /** Where the job keys are: on the installation tag or one tag per queue (KeysOptions). */
  readonly jobTags: JobTagLayout;
  /** The hash tag of one queue's keys, e.g. `{hs:default}`. */
  queueTag(queue: string): string;
  /**
   * A SCAN MATCH glob for every key of this installation, on either kind of tag
   * (`{hs}:...` and `{hs:<queue>}:...`), and no other prefix's.
   */
  readonly pattern: string;
  /** Generic builder for kinds not listed below. */
  key(kind: string, name?: string): string;

  /**
   * The hash tag the job keys of `queue` are on (its job hash, attempts, children): today the
   * installation's for every queue; the queue's own once the job keys move (issue 17). Reading
   * a job by id alone probes the tag of every known queue (src/queue/find-job.ts).
   */
  jobTag(queue: string): string;
  /** A job's hash, on `tag` (a jobTag(queue); the installation's by default). */
  job(id: string, tag?: string): string;
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
  /** The installation's key layout marker ("installation" | "queue"; src/redis/key-layout.ts). */
  layout(): string;
  /** Jobs waiting for a dependency: set of dependent ids per parent job (on its job tag). */
  dependents(id: string, tag?: string): string;
  /** Of a job on `tag`: its dependents on other tags (set of "<queue>\t<id>"; deps_lib.lua). */
  remoteDependents(id: string, tag?: string): string;
  /** Of a deferred job on `tag`: its dependencies on other tags not settled yet (hash id -> queue). */
  remoteDeps(id: string, tag?: string): string;
  /** Deferred registry of a queue: jobs waiting on dependencies (score: when deferred). */
  deferred(queue: string): string;
  /** Capped list of the ids of jobs enqueued from inside job `id` (its children). */
  children(id: string, tag?: string): string;
  /** Per-job list of attempt records (JSON). */
  attempts(id: string, tag?: string): string;

  workers(): string;
  worker(name: string): string;

  schedulerState(): string;
  schedulerLeader(): string;
  /**
   * Hash n (number of the latest leader lease granted), at, token: the lease's fencing token.
   * On a queue's tag (`tag`, a jobTag(queue) off the installation's): the highest lease number
   * an enqueue of that tag carried, which only rises (fence_lib.lua fence_raise).
   */
  schedulerFence(tag?: string): string;
  /**
   * Hash task -> last slot (ms) recorded with its enqueue, its skips and its baseline, on the
   * tag where the task's jobs are enqueued (`tag`, its queue's jobTag; the installation's by
   * default). Records of before the per-queue layout stay readable on the installation's tag.
   */
  lastSlots(tag?: string): string;
  /** Hash task -> id of the job its last fire enqueued (for the overlap rule), on the job's tag. */
  lastJobs(tag?: string): string;
  /** Capped list of fire-ledger entries of one task. */
  ledger(task: string): string;

  /**
   * The events stream of a hash tag (issue 17: one per tag, so a script writes the stream of its
   * own tag): the installation's by default, `keys.events(keys.queueTag(q))` a queue's.
   * src/log/read-events.ts reads them all, merged by time.
   */
  events(tag?: string): string;
  /**
   * The forward records of `tag` (hash: what a script of this tag asks of another tag; see
   * src/redis/lua/forward_lib.lua), also the pub/sub channel that tells they were written.
   * KEYS[1] of every job script, which routes the call to the tag's slot.
   */
  forward(tag: string): string;
  /**
   * The marks of the enqueue records (complete.lua's follow-ups to another tag) applied on `tag`
   * (sorted set, member "<writer's tag>\t<field>\t<at>", score = when applied): the proof each
   * is applied once (follow_up_enqueue.lua).
   */
  followUpMarks(tag: string): string;
  lock(name: string): string;
  /** Pub/sub channel a lock's release is announced on, so waiters wake at once. */
  lockReleased(name: string): string;
  /** The queue's rate-limiter sorted set, on the queue's own tag (one script, one key). */
  rateLimit(queue: string): string;
  group(id: string): string;
  /** Pub/sub channel for publishRealtime. */
  realtime(event: string): string;
  /**
   * Per-minute metrics history of a queue (history_lib.lua writes it from the job scripts, on the
   * queue's job tag) / of a scheduled task, on the job tag of its jobs' queue (`tag`; the
   * installation's by default).
   */
  history(minute: number, queue: string): string;
  taskHistory(minute: number, task: string, tag?: string): string;
}

/**
 * The slot guard of `key`'s hash tag: a key of that tag that nothing ever writes. Every script
 * call declares it in KEYS (src/redis/scripts.ts) so that, while a Redis Cluster migrates the
 * tag's slot, Redis refuses the call (ASK, then TRYAGAIN on the importing node: a declared key
 * is missing) and the client retries it once the slot has settled. Without it a script could
 * run on a half-moved slot and meet the keys it builds by name (a popped job id) on the other
 * node: an error after its first writes, or a key that looks absent. On a stable slot (and on
 * one server) a missing key changes nothing. Undefined for a key without a hash tag.
 */
export function slotGuardKey(key: string): string | undefined {
  const open = key.indexOf("{");
  const close = open < 0 ? -1 : key.indexOf("}", open + 1);
  // Redis hashes the text between the first "{" and the next "}" when it is not empty
  if (close <= open + 1) return undefined;
  return `${key.slice(0, close + 1)}:slot-guard`;
}

export function createKeys(prefix: string = DEFAULT_PREFIX, options: KeysOptions = {}): Keys {
  if (!SAFE_PREFIX.test(prefix)) {
    throw new Error(
      `key prefix "${prefix}" is not allowed: use letters, digits, "_", "-" or "." (no braces or colons)`,
    );
  }
  const root = `{${prefix}}`;
  const key = (kind: string, name?: string) => (name === undefined ? `${root}:${kind}` : `${root}:${kind}:${name}`);
  const queueTag = (queue: string): string => {
    // a brace would end the tag early and put the key in another queue's slot (or none)
    if (queue.length === 0 || /[{}\s]/.test(queue)) {
      throw new Error(`queue name ${JSON.stringify(queue)} cannot be a key tag: use letters, digits, "_", "-" or "." (no braces or spaces)`);
    }
    return `{${prefix}:${queue}}`;
  };
  const jobTags = options.jobTags ?? "installation";
  const jobTag = jobTags === "queue" ? queueTag : () => root;
  // a per-queue key: `<jobTag(q)>:<kind>:<q>` (the job scripts build the same from their root)
  const ofQueue = (kind: string) => (q: string) => `${jobTag(q)}:${kind}:${q}`;
  return {
    prefix,
    root,
    jobTags,
    queueTag,
    pattern: `{${prefix}[}:]*`,
    key,
    jobTag,
    job: (id, tag) => `${tag ?? root}:job:${id}`,
    queue: ofQueue("queue"),
    wake: ofQueue("wake"),
    started: ofQueue("started"),
    finished: ofQueue("finished"),
    failed: ofQueue("failed"),
    scheduled: ofQueue("scheduled"),
    canceled: ofQueue("canceled"),
    queues: () => key("queues"),
    layout: () => key("layout"),
    dependents: (id, tag) => `${tag ?? root}:dependents:${id}`,
    remoteDependents: (id, tag) => `${tag ?? root}:remote-dependents:${id}`,
    remoteDeps: (id, tag) => `${tag ?? root}:remote-deps:${id}`,
    deferred: ofQueue("deferred"),
    children: (id, tag) => `${tag ?? root}:children:${id}`,
    attempts: (id, tag) => `${tag ?? root}:attempts:${id}`,
    workers: () => key("workers"),
    worker: (name) => key("worker", name),
    schedulerState: () => key("scheduler", "state"),
    schedulerLeader: () => key("scheduler", "leader"),
    schedulerFence: (tag) => `${tag ?? root}:scheduler:fence`,
    lastSlots: (tag) => `${tag ?? root}:scheduler:last-slots`,
    lastJobs: (tag) => `${tag ?? root}:scheduler:last-jobs`,
    ledger: (task) => key("ledger", task),
    events: (tag) => `${tag ?? root}:events`,
    forward: (tag) => `${tag}:forward`,
    followUpMarks: (tag) => `${tag}:follow-up-applied`,
    lock: (name) => key("lock", name),
    lockReleased: (name) => key("lock-released", name),
    rateLimit: (queue) => `${queueTag(queue)}:ratelimit`,
    group: (id) => key("group", id),
    realtime: (event) => `${prefix}:realtime:${event}`,
    history: (minute, queue) => `${jobTag(queue)}:history:${minute}:${queue}`,
    taskHistory: (minute, task, tag) => `${tag ?? root}:task-history:${minute}:${task}`,
  };
}
