/** Built-in defaults: what applies when neither a flag, the environment nor the hooks file says. */
import type { QueueConfig, ResolvedConfig, RetentionConfig } from "./types.js";

/** The key prefix of an installation that names none (its keys are under the hash tag `{hs}`). */
export const DEFAULT_PREFIX = "hs";
export const DEFAULT_SCHEDULER_INTERVAL = 60;
export const DEFAULT_LOG_LEVEL: ResolvedConfig["logLevel"] = "info";
export const LOG_LEVELS: readonly ResolvedConfig["logLevel"][] = ["trace", "debug", "info", "warn", "error", "fatal"];

/** Frappe's three queues; timeouts as Frappe sets them (long: 25 minutes). */
export const BUILTIN_QUEUES: Readonly<Record<string, QueueConfig>> = {
  short: { timeout: 300, workers: 1, concurrency: 1 },
  default: { timeout: 300, workers: 1, concurrency: 1 },
  long: { timeout: 1500, workers: 1, concurrency: 1 },
};

/** A custom queue's settings when the hooks file leaves them out. */
export const CUSTOM_QUEUE_DEFAULTS: Readonly<QueueConfig> = { timeout: 300, workers: 1, concurrency: 1 };

/** Frappe keeps finished jobs 10 minutes and failed ones 7 days. */
export const DEFAULT_RETENTION: Readonly<RetentionConfig> = { finished: 600, failed: 604_800 };

/** The zone of this machine (honours TZ, which Node reads at start-up). */
export function machineTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
