/**
 * The queue environment every public call needs (Redis + keys + clock + queue config + tasks),
 * and the process-wide "active" one that `enqueue()` and friends use when called from app code.
 *
 * The active env lives on `processState().active` (globalThis), so a second copy of this package
 * loaded through the TS loader sees the same one.
 */
import type { Redis } from "ioredis";
import { Cluster, Redis as RedisClient } from "ioredis";
import { systemClock, type Clock } from "../base/clock.js";
import type { QueueConfig, RetentionConfig } from "../config/types.js";
import { EnqueueError } from "../base/errors.js";
import { BUILTIN_QUEUES, CUSTOM_QUEUE_DEFAULTS, DEFAULT_PREFIX, DEFAULT_RETENTION } from "../config/defaults.js";
import { createKeys, type Keys } from "../redis/keys.js";
import { createRedis } from "../redis/connection.js";
import { layoutFor } from "../redis/key-layout.js";
import { processState } from "../base/process-state.js";
import type { TaskTable } from "../tasks/task-table.js";
import { normalizeRetry, type RetryInput } from "../config/retry-policy.js";
import { checkQueue } from "../config/validate.js";
import type { SigningConfig } from "../security/signing.js";

/**
 * What every queue call takes: the one name for it (code that needs only the connection part
 * takes `Pick<QueueEnv, "redis" | "keys" | "clock">`; a job's own context is src/runtime/).
 */
export interface QueueEnv {
  redis: Redis;
  keys: Keys;
  clock: Clock;
  queues: Record<string, QueueConfig>;
  retention: RetentionConfig;
  /** Resolves dotted paths; when absent, methods are checked for shape only. */
  tasks?: TaskTable;
  /** Sign jobs at enqueue and refuse unsigned/altered ones in workers (src/security/signing.ts). */
  signing?: SigningConfig;
  /**
   * Set until the installation's layout marker is read, or set on a new prefix (deferLayout):
   * configure() builds an app's env synchronously, and the CLI's writers check their input
   * before anything is written, so their first queue call settles it and puts `keys` in that
   * layout (settledEnv). The daemon, the worker and the CLI's readers settle it before they build
   * their env and never set this.
   */
  pendingLayout?: () => Promise<void>;
}

/**
 * `env` once its keys are in the installation's layout: the queue calls app code makes first
 * await this (enqueue, enqueueMany, the lookups by id, the counts, a queue handle's calls, the
 * commit of a transaction). Nothing to wait for but on an env from configure(), once.
 */
export async function settledEnv<E extends Pick<QueueEnv, "pendingLayout">>(env: E): Promise<E> {
  if (env.pendingLayout) await env.pendingLayout();
  return env;
}

export function setActiveContext(env: QueueEnv | undefined): void {
  processState().active = env;
}

export function activeContext(): QueueEnv {
  const env = processState().active as QueueEnv | undefined;
  if (!env) {
    throw new EnqueueError(
      "NOT_CONFIGURED",
      "hooks-scheduler is not configured in this process: call configure({ redis }) or run inside `scheduler start`",
    );
  }
  return env;
}

/** The active env, or undefined when none is set (for code that may run either way). */
export function maybeActiveContext(): QueueEnv | undefined {
  return processState().active as QueueEnv | undefined;
}

export interface ConfigureOptions {
  /** A connected ioredis client, or a URL (connected lazily on first use). */
  redis?: Redis | Cluster | string;
  prefix?: string;
  /** Per queue; `retry` as enqueue takes it (a number or { max, backoff, delay, jitter }). */
  queues?: Record<string, Partial<Omit<QueueConfig, "retry">> & { retry?: RetryInput }>;
  retention?: Partial<RetentionConfig>;
  tasks?: TaskTable;
  clock?: Clock;
  /** Shared secret for payload signing (default: SCHEDULER_SIGNING_SECRET when set). */
  signing?: SigningConfig;
  /**
   * The key layout to claim, as hooks `key_layout` (src/redis/key-layout.ts claimKeyLayout): set
   * it as in the app's hooks, so an app that enqueues on a new prefix before any daemon started
   * builds the keys its daemon will use. Absent: the installation's marker is followed.
   */
  keyLayout?: "installation" | "queue";
}

/** For app code: build the env from a few options and make it the active one. */
export function configure(options: ConfigureOptions = {}): QueueEnv {
  if (options.keyLayout !== undefined && options.keyLayout !== "installation" && options.keyLayout !== "queue") {
    throw new EnqueueError("BAD_OPTION", `configure: keyLayout ${JSON.stringify(options.keyLayout)} is not "queue" or "installation"`, { hint: "set it as hooks key_layout says, or leave it out" });
  }
  for (const [name, q] of Object.entries(options.queues ?? {})) {
    const partitions = checkQueue(name, q, () => "").find(([key]) => key === "partitions");
    if (partitions) throw new EnqueueError("BAD_OPTION", `configure: queues.${name}.partitions ${partitions[1]}`, { hint: "set it as in the app's hooks queues" });
  }
  // a connected client as it is, a Redis Cluster's included (the queue code reaches its nodes)
  const redis =
    options.redis instanceof RedisClient || options.redis instanceof Cluster
      ? (options.redis as Redis)
      : createRedis(options.redis ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const queues: Record<string, QueueConfig> = { ...BUILTIN_QUEUES };
  for (const [name, q] of Object.entries(options.queues ?? {})) {
    const { retry, ...rest } = q;
    queues[name] = { ...(BUILTIN_QUEUES[name] ?? CUSTOM_QUEUE_DEFAULTS), ...rest };
    const policy = normalizeRetry(retry, `configure: queues.${name}.retry`);
    if (policy !== undefined) queues[name]!.retry = policy;
  }
  const env: QueueEnv = {
    redis,
    keys: createKeys(options.prefix ?? DEFAULT_PREFIX),
    clock: options.clock ?? systemClock,
    queues,
    retention: { ...DEFAULT_RETENTION, ...options.retention },
    tasks: options.tasks,
  };
  deferLayout(env, options.prefix ?? DEFAULT_PREFIX, options.keyLayout);
  const secret = process.env.SCHEDULER_SIGNING_SECRET;
  const signing = options.signing ?? (secret ? { secret } : undefined);
  if (signing) env.signing = signing;
  setActiveContext(env);
  return env;
}

/**
 * Leave the layout of `env` to its first queue call (configure(), the CLI's enqueue, trigger and
 * backfill): the marker read, or set on a new prefix (src/redis/key-layout.ts layoutFor, `claim`
 * as hooks key_layout), by one call shared by the calls that wait on it. Those calls check their
 * input first, so a refused enqueue writes nothing, not even the marker. On success the reader
 * removes itself; on failure (Redis not answering, a bad marker, another layout than the one
 * claimed) the call fails as any Redis call would, and the next one tries again.
 */
export function deferLayout(env: QueueEnv, prefix: string, claim: "installation" | "queue" | undefined): void {
  let reading: Promise<void> | undefined;
  env.pendingLayout = () =>
    (reading ??= layoutFor(env.redis, prefix, claim).then(
      (layout) => {
        if (layout !== env.keys.jobTags) env.keys = createKeys(prefix, { jobTags: layout });
        delete env.pendingLayout;
      },
      (err: unknown) => {
        reading = undefined;
        throw err;
      },
    ));
}
