/**
 * What a client command (everything but `start` and `worker`) needs: the hooks and config when
 * there are any, the Redis to talk to, and a queue env on it. One place, so every command finds
 * the same server the same way:
 *   --redis > REDIS_URL > hooks `redis` > this folder's embedded server > redis://127.0.0.1:6379
 */
import { dirname, resolve } from "node:path";
import type { Redis } from "ioredis";
import { systemClock } from "../base/clock.js";
import { resolveConfig } from "../settings/resolve.js";
import type { ResolvedConfig } from "../config/types.js";
import { findEmbeddedRedis } from "../daemon/embedded-redis.js";
import { SchedulerError } from "../base/errors.js";
import { loadHooks } from "../hooks/load.js";
import { createTaskTable } from "../tasks/task-loader.js";
import { loadTimeoutMs } from "../tasks/load-probe.js";
import type { LoadedHooks } from "../hooks/types.js";
import { deferLayout, type QueueEnv } from "../queue/context.js";
import { BUILTIN_QUEUES, DEFAULT_PREFIX, DEFAULT_RETENTION } from "../config/defaults.js";
import { closingOnFailure, connectRedis, DEFAULT_REDIS_URL } from "../redis/connection.js";
import { createKeys, type Keys } from "../redis/keys.js";
import { keysOf } from "../redis/key-layout.js";
import type { CommonOptions } from "./common.js";
import { directPrefix, directRedisUrl } from "./target-settings.js";

export interface CliTarget {
  url: string;
  prefix: string;
  hooks?: LoadedHooks;
  config?: ResolvedConfig;
}

export interface CliContext extends CliTarget {
  redis: Redis;
  keys: Keys;
  env: QueueEnv;
  close(): Promise<void>;
}

export interface TargetOptions {
  /** "required": fail without a hooks file; "optional": work from flags/env alone (logs, status). */
  hooks: "required" | "optional";
  /**
   * The command writes jobs (enqueue, trigger, backfill): on a prefix that holds no installation
   * yet it sets the key layout (src/redis/key-layout.ts layoutFor). A reader does not, so a
   * mistyped --prefix writes no key.
   */
  writes?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Hooks, config and the Redis URL + prefix a command should use. */
export async function resolveTarget(options: CommonOptions, how: TargetOptions): Promise<CliTarget> {
  const env = how.env ?? process.env;
  const cwd = how.cwd ?? process.cwd();
  let hooks: LoadedHooks | undefined;
  let config: ResolvedConfig | undefined;
  // With the server and prefix named outright, a broken hooks file must not stand in the way of
  // an optional-hooks command (reading logs or status while fixing that file).
  // Checked first: a bad or empty value is refused before anything loads or connects.
  const namedUrl = directRedisUrl(options.redis, env);
  const namedPrefix = directPrefix(options.prefix, env);
  const named = namedUrl !== undefined && namedPrefix !== undefined;
  // An explicit --hooks is loaded even then: its settings (the redaction list, queues) apply.
  if (how.hooks === "required" || !named || options.hooks !== undefined) {
    try {
      hooks = await loadHooks({ hooksPath: options.hooks, cwd });
      config = resolveConfig({ flags: { redis: options.redis, prefix: options.prefix }, env, hooks });
    } catch (err) {
      const missing = err instanceof SchedulerError && err.code === "HOOKS_NOT_FOUND";
      if (how.hooks === "required" || options.hooks || !missing) throw err;
    }
  }
  const hooksDir = hooks ? dirname(resolve(cwd, hooks.file)) : undefined;
  const url = namedUrl ?? config?.redisUrl ?? (await embeddedUrl([hooksDir, cwd])) ?? DEFAULT_REDIS_URL;
  const prefix = config?.prefix ?? namedPrefix ?? DEFAULT_PREFIX;
  return { url, prefix, hooks, config };
}

async function embeddedUrl(dirs: Array<string | undefined>): Promise<string | undefined> {
  for (const dir of new Set(dirs.filter((d): d is string => d !== undefined))) {
    const url = await findEmbeddedRedis(dir);
    if (url) return url;
  }
  return undefined;
}

/** Resolve the target and connect (fail fast: a client command must not hang on a dead server). */
export async function openCli(options: CommonOptions, how: TargetOptions): Promise<CliContext> {
  const target = await resolveTarget(options, how);
  // Check the prefix before connecting: a refused prefix must not leave an open client behind
  // that keeps the process alive after the error is printed.
  createKeys(target.prefix);
  const redis = await connectRedis(target.url, { failFast: true, connectionName: "hs-cli" });
  // A command that writes jobs settles the layout at its first queue call, once its input is
  // checked (deferLayout): claimed as the hooks name it (key_layout), else adopted, so a CLI
  // enqueue that ran first on a new prefix builds the keys the daemon that comes next will use.
  // A reader only reads the marker.
  const env: QueueEnv = {
    redis,
    keys: how.writes ? createKeys(target.prefix) : await closingOnFailure(redis, keysOf(redis, target.prefix)),
    clock: systemClock,
    queues: target.config?.queues ?? BUILTIN_QUEUES,
    retention: target.config?.retention ?? DEFAULT_RETENTION,
    tasks: target.config ? createTaskTable(target.config.appRoot, { loadTimeoutMs: loadTimeoutMs() }) : undefined,
    ...(target.config?.signing ? { signing: target.config.signing } : {}),
  };
  if (how.writes) deferLayout(env, target.prefix, target.config?.claimLayout);
  return {
    ...target,
    redis,
    get keys() {
      return env.keys;
    },
    env,
    close: async () => {
      redis.disconnect();
    },
  };
}
