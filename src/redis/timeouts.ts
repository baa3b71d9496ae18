/**
 * How long a Redis client waits. A server (or something else) that accepts the connection and
 * never answers must not hang a command: connecting (the TCP connect plus the first answer) has
 * a deadline, and a one-shot CLI command has a per-command deadline too. The daemon's own
 * connections have the connect deadline only: while running they wait out an outage rather
 * than fail half-done moves (see README "After a Redis freeze").
 *
 *   SCHEDULER_CONNECT_TIMEOUT  seconds (or a duration like "500ms"), default 5
 *   SCHEDULER_COMMAND_TIMEOUT  seconds (or a duration like "500ms"), default 5 (CLI commands)
 */
import { secondsFrom } from "../config/env-duration.js";

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
