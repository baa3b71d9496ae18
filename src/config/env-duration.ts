/** Durations read from environment variables (timeouts an operator tunes without editing hooks). */
import { ConfigError } from "../base/errors.js";

/** `name` read as a positive number of seconds (fractions allowed), in ms; unset or empty: `fallbackMs`. */
export function secondsFrom(env: NodeJS.ProcessEnv, name: string, fallbackMs: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallbackMs;
  const seconds = Number(raw);
  // Node timers hold at most 2^31-1 ms; a longer wait is as good as none.
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds * 1000 > 2_147_483_647) {
    throw new ConfigError("CONFIG_INVALID", `${name}: ${JSON.stringify(raw)} is not a number of seconds`, {
      hint: `set ${name} to a positive number of seconds (e.g. ${name}=${fallbackMs / 1000}) or leave it unset`,
    });
  }
  return Math.round(seconds * 1000);
}

/** "5 s", "0.5 s": a duration for messages. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
