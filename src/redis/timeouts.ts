/**
 * How long a Redis client waits. A server (or something else) that accepts the connection and
 * never answers must not hang a command: connecting (the TCP connect plus the first answer) has
 * a deadline, and a one-shot CLI command has a per-command deadline too. The daemon's own
 * connections have the connect deadline only: while running they wait out an outage rather
 * than fail half-done moves (see README "After a Redis freeze").
 *
 *   SCHEDULER_CONNECT_TIMEOUT  seconds, default 5
 *   SCHEDULER_COMMAND_TIMEOUT  seconds, default 5 (CLI commands)
 */
import { ConfigError } from "../errors.js";

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;

export interface RedisTimeouts {
  connectMs: number;
  commandMs: number;
}

/** The timeouts from the environment; a bad value is one ConfigError naming the variable. */
export function redisTimeouts(env: NodeJS.ProcessEnv = process.env): RedisTimeouts {
  return {
    connectMs: secondsFrom(env, "SCHEDULER_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT_MS),
    commandMs: secondsFrom(env, "SCHEDULER_COMMAND_TIMEOUT", DEFAULT_COMMAND_TIMEOUT_MS),
  };
}

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
