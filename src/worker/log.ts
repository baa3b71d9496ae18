/**
 * Default logger of the worker side: one JSON object per line on stdout (pino's level numbers
 * and field names, so the same tools read both), used when the caller injects none.
 */
import { systemClock, type Clock } from "../base/clock.js";
import type { Logger } from "../log/logger.js";

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;
type Level = keyof typeof LEVELS;

export interface JsonLoggerOptions {
  level?: Level;
  /** Fields added to every line, e.g. { component: "supervisor" }. */
  base?: Record<string, unknown>;
  write?: (line: string) => void;
  now?: Clock;
}

export function jsonLogger(options: JsonLoggerOptions = {}): Logger {
  const min = LEVELS[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const now = options.now ?? systemClock;
  const emit = (level: Level) => (obj: object | string, msg?: string) => {
    if (LEVELS[level] < min) return;
    const fields = typeof obj === "string" ? { msg: obj } : msg === undefined ? obj : { ...obj, msg };
    write(`${JSON.stringify({ level: LEVELS[level], time: now(), ...options.base, ...fields })}\n`);
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

/** A logger that drops everything (for library callers that log elsewhere). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
