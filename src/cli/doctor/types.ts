/** The shape of `scheduler doctor`: a list of checks, each giving findings. */
import { keysOf } from "../../redis/key-layout.js";
import type { Redis } from "ioredis";
import { describeError, SchedulerError } from "../../base/errors.js";
import type { ResolvedConfig } from "../../config/types.js";
import { createKeys, type JobTagLayout, type Keys } from "../../redis/keys.js";
import type { LoadedHooks } from "../../hooks/types.js";
import type { TaskTable } from "../../tasks/task-table.js";

export type FindingLevel = "ok" | "warn" | "error";

export interface Finding {
  /** The check that produced it (`hooks`, `redis`, ...). */
  check: string;
  level: FindingLevel;
  message: string;
  /** What to do about it (warn and error findings). */
  fix?: string;
}

export interface DoctorOptions {
  hooks?: string;
  redis?: string;
  prefix?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where a local Redis is probed when none is configured (default 127.0.0.1:6379; tests use a dead port). */
  probeUrl?: string;
  /**
   * The keys' layout (src/redis/keys.ts, issue 17): the installation's (the default) until the
   * per-queue layout is offered; no flag sets it yet, the tests pass theirs (TEST_JOB_TAGS).
   */
  jobTags?: JobTagLayout;
}

/**
 * What checks learn and pass on: later checks read what earlier ones found (config needs the
 * hooks, persistence needs the connection). `cleanup` runs after the last check.
 */
export interface DoctorContext {
  options: DoctorOptions;
  hooks?: LoadedHooks;
  taskTable?: TaskTable;
  config?: ResolvedConfig;
  redis?: Redis;
  /** True when the embedded redis-server will be used (nothing configured, nothing answering). */
  embedded?: boolean;
  cleanup: Array<() => Promise<void> | void>;
}

export interface Check {
  name: string;
  run(ctx: DoctorContext): Promise<Finding[]>;
}

/**
 * The keys of the installation the doctor looks at: its prefix, in the layout the options name,
 * else in the one its layout marker in Redis names (src/redis/key-layout.ts).
 */
export async function doctorKeys(ctx: DoctorContext & { config: ResolvedConfig }): Promise<Keys> {
  if (ctx.options.jobTags || !ctx.redis) return createKeys(ctx.config.prefix, ctx.options.jobTags ? { jobTags: ctx.options.jobTags } : {});
  return keysOf(ctx.redis, ctx.config.prefix);
}

export const finding = (check: string, level: FindingLevel, message: string, fix?: string): Finding =>
  fix === undefined ? { check, level, message } : { check, level, message, fix };

/** An error as a finding: a SchedulerError's message, with its hint as the fix when it has one. */
export const errorFinding = (check: string, err: unknown, fallbackFix: string): Finding =>
  err instanceof SchedulerError
    ? finding(check, "error", err.message, err.hint ?? fallbackFix)
    : finding(check, "error", describeError(err), fallbackFix);
