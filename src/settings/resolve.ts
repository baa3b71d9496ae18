/**
 * The one place settings are merged. Precedence, highest first:
 *
 *   1. command-line flag   (--redis, --prefix, --timezone, --log-level)
 *   2. environment         (REDIS_URL, SCHEDULER_PREFIX, SCHEDULER_TIMEZONE, SCHEDULER_LOG_LEVEL)
 *   3. hooks file          (redis, prefix, timezone, log_level, scheduler_interval, queues, retention)
 *   4. built-in default    (src/config/defaults.ts)
 *
 * TZ is read as the machine's zone, i.e. at the default tier, not the environment tier: a
 * container's TZ=UTC must not silently override a `timezone` written in the hooks file. Use
 * SCHEDULER_TIMEZONE to override the file from the environment.
 *
 * Every value is validated; a bad one is a ConfigError naming where it came from.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { ConfigError } from "../base/errors.js";
import { displayPath } from "../base/problems.js";
import { didYouMean } from "../base/suggest.js";
import type { LoadedHooks } from "../hooks/types.js";
import {
  BUILTIN_QUEUES,
  CUSTOM_QUEUE_DEFAULTS,
  DEFAULT_LOG_LEVEL,
  DEFAULT_PREFIX,
  DEFAULT_RETENTION,
  DEFAULT_SCHEDULER_INTERVAL,
  machineTimezone,
} from "../config/defaults.js";
import type { ConfigSource, QueueConfig, RedisTlsSettings, ResolvedConfig } from "../config/types.js";
import { checkSecret, checkSigning } from "../security/signing.js";
import { checkRedactKeys, DEFAULT_REDACT_KEYS } from "../security/redact.js";
import { useRedactKeys } from "../security/redact-config.js";
import { checkTopologyObject, topologyObjectUrl, type TopologyObject } from "../redis/redis-url.js";
import { checkRedisTls, resolveTlsPaths, useRedisTls } from "../redis/tls.js";
import { checkTasksSetting, useTaskAllowList } from "../tasks/task-allow.js";
import { allTaskPaths } from "../tasks/task-loader.js";
import { normalizeRetry, type RetryInput } from "../config/retry-policy.js";
import { checkLimits, useLimits, type Limits } from "../config/limits.js";
import { checkLogLevel, checkPositiveSeconds, checkQueue, checkSchedulerInterval, checkTimezone } from "../config/validate.js";
import { checkPrefix, checkRedisUrl } from "../redis/settings-checks.js";

export interface ConfigFlags {
  redis?: string;
  prefix?: string;
  timezone?: string;
  logLevel?: string;
}

export interface ResolveConfigInput {
  flags?: ConfigFlags;
  env?: NodeJS.ProcessEnv;
  hooks: LoadedHooks;
}

interface Layer {
  flag?: [string, string | undefined];
  env?: Array<[string, string | undefined]>;
  hooks?: [string, unknown];
  /** An empty environment value is a value (checked, so refused) rather than "not set". */
  emptyEnvIsSet?: boolean;
}

/**
 * The first set value, highest precedence first, with the label of where it came from. An
 * empty flag is a value (so `--prefix ''` is refused, never the default installation's "hs").
 */
function pick(layer: Layer, hooksFile: string): { value: unknown; source: ConfigSource; label: string } | undefined {
  if (layer.flag && layer.flag[1] !== undefined) return { value: layer.flag[1], source: "flag", label: layer.flag[0] };
  for (const [name, value] of layer.env ?? []) {
    if (value !== undefined && (value !== "" || layer.emptyEnvIsSet)) return { value, source: "env", label: name };
  }
  if (layer.hooks && layer.hooks[1] !== undefined) return { value: layer.hooks[1], source: "hooks", label: `${displayPath(hooksFile)}: ${layer.hooks[0]}` };
  return undefined;
}

function fail(label: string, message: string): never {
  throw new ConfigError("CONFIG_INVALID", `${label}: ${message}`);
}

export function resolveConfig({ flags = {}, env = process.env, hooks }: ResolveConfigInput): ResolvedConfig {
  const def = hooks.definition;
  const file = hooks.file;
  // First: the queue checks below measure against them.
  const limits = resolveLimits(hooks);
  const sources = {} as ResolvedConfig["sources"];

  const setting = <T>(
    name: keyof ResolvedConfig["sources"],
    layer: Layer,
    check: (v: unknown) => string | undefined,
    fallback: () => { value: T; source: ConfigSource },
  ): T => {
    const chosen = pick(layer, file);
    if (!chosen) {
      const d = fallback();
      sources[name] = d.source;
      return d.value;
    }
    const problem = check(chosen.value);
    if (problem) fail(chosen.label, problem);
    sources[name] = chosen.source;
    return chosen.value as T;
  };

  const redisUrl = setting<string | undefined>("redisUrl", { flag: ["--redis", flags.redis], env: [["REDIS_URL", env.REDIS_URL]], hooks: ["redis", hooksRedisUrl(def.redis, file)] }, checkRedisUrl, () => ({
    value: undefined,
    source: "default",
  }));
  const prefix = setting<string>("prefix", { flag: ["--prefix", flags.prefix], env: [["SCHEDULER_PREFIX", env.SCHEDULER_PREFIX]], hooks: ["prefix", def.prefix], emptyEnvIsSet: true }, checkPrefix, () => ({
    value: DEFAULT_PREFIX,
    source: "default",
  }));
  const timezone = setting<string>(
    "timezone",
    { flag: ["--timezone", flags.timezone], env: [["SCHEDULER_TIMEZONE", env.SCHEDULER_TIMEZONE]], hooks: ["timezone", def.timezone] },
    checkTimezone,
    () => machineZone(env),
  );
  const logLevel = setting<ResolvedConfig["logLevel"]>(
    "logLevel",
    { flag: ["--log-level", flags.logLevel], env: [["SCHEDULER_LOG_LEVEL", env.SCHEDULER_LOG_LEVEL]], hooks: ["log_level", def.log_level] },
    checkLogLevel,
    () => ({ value: DEFAULT_LOG_LEVEL, source: "default" }),
  );
  const schedulerInterval = setting<number>("schedulerInterval", { hooks: ["scheduler_interval", def.scheduler_interval] }, checkSchedulerInterval, () => ({
    value: DEFAULT_SCHEDULER_INTERVAL,
    source: "default",
  }));

  return {
    hooksFile: file,
    appRoot: resolveAppRoot(hooks),
    redisUrl,
    prefix,
    timezone,
    schedulerInterval,
    queues: resolveQueues(hooks),
    logLevel,
    retention: resolveRetention(hooks),
    // Validated with the hooks (paths checked by allTaskPaths); only carried to the workers here.
    ...(Array.isArray(def.job_failure_handlers) && def.job_failure_handlers.length > 0 ? { failureHandlers: [...def.job_failure_handlers] } : {}),
    ...resolveSigning(hooks, env),
    redact: resolveRedact(hooks),
    ...resolveRedisTls(hooks),
    ...resolveTasksAllow(hooks),
    ...(def.key_layout === "installation" || def.key_layout === "queue" ? { claimLayout: def.key_layout } : {}),
    ...(limits ? { limits } : {}),
    sources,
  };
}

/** hooks `redis` as one URL: a string, `{ url }`, or the cluster/sentinels object form written as its URL. */
function hooksRedisUrl(value: LoadedHooks["definition"]["redis"], file: string): unknown {
  if (typeof value !== "object" || value === null) return value;
  const o = value as Record<string, unknown>;
  if (o.cluster === undefined && o.sentinels === undefined) return value.url;
  // Checked here too: the URL written from a malformed object would fail with a worse message.
  const problem = checkTopologyObject(o);
  if (problem) fail(`${displayPath(file)}: redis`, problem);
  return topologyObjectUrl({ ...(o as TopologyObject), tls: o.tls !== undefined && o.tls !== false });
}

/** hooks `limits` over the defaults; also made this process's limits. */
function resolveLimits(hooks: LoadedHooks): Partial<Limits> | undefined {
  const declared = hooks.definition.limits;
  const problem = declared === undefined ? undefined : checkLimits(declared);
  if (problem) fail(`${displayPath(hooks.file)}: limits`, problem);
  useLimits(declared);
  return declared;
}

/** hooks `tasks.allow` with the hooks file's own task paths; also made this process's policy. */
function resolveTasksAllow(hooks: LoadedHooks): { tasksAllow?: string[] } {
  const declared = hooks.definition.tasks;
  if (declared === undefined) {
    useTaskAllowList(undefined);
    return {};
  }
  const problem = checkTasksSetting(declared);
  if (problem) fail(`${displayPath(hooks.file)}: tasks`, problem);
  const own = allTaskPaths(hooks).map((p) => p.method);
  const tasksAllow = [...new Set([...declared.allow, ...own])];
  useTaskAllowList(tasksAllow);
  return { tasksAllow };
}

/** hooks `redis.tls` with absolute paths; also made this process's TLS settings for rediss:// URLs. */
function resolveRedisTls(hooks: LoadedHooks): { redisTls?: RedisTlsSettings } {
  const given = typeof hooks.definition.redis === "object" && hooks.definition.redis !== null ? hooks.definition.redis.tls : undefined;
  // `tls: true` (cluster/sentinels object form): TLS with the system's CAs, no files.
  const declared = typeof given === "boolean" ? undefined : given;
  if (declared === undefined) {
    useRedisTls(undefined);
    return {};
  }
  const problem = checkRedisTls(declared);
  if (problem) fail(`${displayPath(hooks.file)}: redis`, problem);
  const tls = resolveTlsPaths(declared, dirname(hooks.file));
  useRedisTls(tls);
  return { redisTls: tls };
}

/** hooks `redact` (validated with the hooks), else the default; also made this process's list. */
function resolveRedact(hooks: LoadedHooks): readonly string[] {
  const declared = hooks.definition.redact;
  const problem = declared === undefined ? undefined : checkRedactKeys(declared);
  if (problem) fail(`${displayPath(hooks.file)}: redact`, problem);
  const keys = declared === undefined ? DEFAULT_REDACT_KEYS : [...declared];
  useRedactKeys(keys);
  return keys;
}

/** TZ when it names an IANA zone (POSIX forms like ":/etc/localtime" are left to Intl), else Intl's zone. */
function machineZone(env: NodeJS.ProcessEnv): { value: string; source: ConfigSource } {
  const tz = env.TZ;
  if (tz && !tz.startsWith(":") && !checkTimezone(tz)) return { value: tz, source: "env" };
  return { value: machineTimezone(), source: "default" };
}

/** hooks `app_root` resolved against the hooks file's folder, else that folder. */
export function resolveAppRoot(hooks: LoadedHooks): string {
  const folder = dirname(hooks.file);
  const root = hooks.definition.app_root;
  if (root === undefined) return folder;
  if (typeof root !== "string" || root.trim() === "") fail(`${displayPath(hooks.file)}: app_root`, `must be a folder path, got ${JSON.stringify(root)}`);
  return isAbsolute(root) ? root : resolve(folder, root);
}

function resolveQueues(hooks: LoadedHooks): Record<string, QueueConfig> {
  // No prototype: a queue name can never find, or set, Object.prototype's properties.
  const queues: Record<string, QueueConfig> = Object.create(null);
  for (const [name, q] of Object.entries(BUILTIN_QUEUES)) queues[name] = { ...q };
  const declared = hooks.definition.queues;
  if (declared === undefined) return queues;
  const label = `${displayPath(hooks.file)}: queues`;
  if (typeof declared !== "object" || declared === null || Array.isArray(declared)) fail(label, `must be a map of queue name -> { timeout, workers, concurrency }`);
  for (const [name, settings] of Object.entries(declared)) {
    const problems = checkQueue(name, settings, didYouMean);
    const first = problems[0];
    if (first) fail(first[0] ? `${label}.${name}.${first[0]}` : `${label}.${name}`, first[1]);
    const base = queues[name] ?? { ...CUSTOM_QUEUE_DEFAULTS };
    const merged: QueueConfig = { ...base };
    for (const [k, v] of Object.entries(settings ?? {})) if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
    const retry = normalizeRetry((settings as { retry?: RetryInput } | undefined)?.retry);
    if (retry !== undefined) merged.retry = retry;
    queues[name] = merged;
  }
  return queues;
}

/** SCHEDULER_SIGNING_SECRET over hooks `signing.secret`; absent: jobs are not signed. */
function resolveSigning(hooks: LoadedHooks, env: NodeJS.ProcessEnv): { signing?: { secret: string; maxAge?: number } } {
  const declared = hooks.definition.signing;
  if (declared !== undefined) {
    const problem = checkSigning(declared);
    if (problem) fail(`${displayPath(hooks.file)}: signing`, problem);
  }
  // maxAge comes from the hooks file whichever secret applies.
  const maxAge = declared?.maxAge !== undefined ? { maxAge: declared.maxAge } : {};
  const fromEnv = env.SCHEDULER_SIGNING_SECRET;
  if (fromEnv !== undefined && fromEnv !== "") {
    const problem = checkSecret(fromEnv);
    if (problem) fail("SCHEDULER_SIGNING_SECRET", problem);
    return { signing: { secret: fromEnv, ...maxAge } };
  }
  if (declared === undefined) return {};
  return { signing: { secret: declared.secret, ...maxAge } };
}

function resolveRetention(hooks: LoadedHooks): ResolvedConfig["retention"] {
  const declared = hooks.definition.retention ?? {};
  const retention = { ...DEFAULT_RETENTION };
  for (const key of ["finished", "failed"] as const) {
    const v = declared[key];
    if (v === undefined) continue;
    const problem = checkPositiveSeconds(v);
    if (problem) fail(`${displayPath(hooks.file)}: retention.${key}`, problem);
    retention[key] = v;
  }
  return retention;
}
