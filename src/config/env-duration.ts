/** Durations read from environment variables (timeouts an operator tunes without editing hooks). */
import { durationMs } from "../base/duration.js";
import { MAX_TIMER_MS } from "../base/long-timeout.js";
import { ConfigError } from "../base/errors.js";

/**
 * `name` read as a duration > 0 (src/base/duration.ts: seconds, fractions allowed, or "5s",
 * "500ms"), in ms; unset or empty: `fallbackMs`.
 */
export function secondsFrom(env: NodeJS.ProcessEnv, name: string, fallbackMs: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallbackMs;
  const ms = durationMs(raw);
  // Node timers hold at most 2^31-1 ms; a longer wait is as good as none.
  if (ms === undefined || ms <= 0 || ms > MAX_TIMER_MS) {
    throw new ConfigError("CONFIG_INVALID", `${name}: ${JSON.stringify(raw)} is not a number of seconds`, {
      hint: `set ${name} to a positive number of seconds (e.g. ${name}=${fallbackMs / 1000}) or leave it unset`,
    });
  }
  return Math.round(ms);
}
