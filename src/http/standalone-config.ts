/** The config the HTTP side uses when it runs without a hooks file (`scheduler serve` on a monitoring host). */
import { resolve } from "node:path";
import type { ResolvedConfig } from "../config/types.js";
import { DEFAULT_REDACT_KEYS } from "../security/redact.js";
import { BUILTIN_QUEUES, DEFAULT_LOG_LEVEL, DEFAULT_RETENTION, DEFAULT_SCHEDULER_INTERVAL, machineTimezone } from "../config/defaults.js";

export function standaloneConfig(url: string, prefix: string, cwd: string = process.cwd()): ResolvedConfig {
  return {
    hooksFile: resolve(cwd, "(no hooks file)"),
    appRoot: cwd,
    redisUrl: url,
    prefix,
    timezone: process.env.SCHEDULER_TIMEZONE || machineTimezone(),
    schedulerInterval: DEFAULT_SCHEDULER_INTERVAL,
    queues: { ...BUILTIN_QUEUES },
    logLevel: DEFAULT_LOG_LEVEL,
    retention: { ...DEFAULT_RETENTION },
    redact: DEFAULT_REDACT_KEYS,
    sources: { redisUrl: "flag", prefix: "flag", timezone: "default", schedulerInterval: "default", logLevel: "default" },
  };
}
