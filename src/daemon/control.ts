/**
 * Commands to running daemons over Redis pub/sub (`<prefix>:control`), so `scheduler reload`
 * works from any machine that reaches Redis, without knowing pids or hosts.
 *
 * A command may name a reply channel: each daemon that acted publishes its answer there (what
 * changed, or why it refused), so the sender can wait for every daemon that received it.
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.js";

export type ControlCommand = "reload";

/** What a daemon answers after a reload. */
export interface ReloadReply {
  daemon: string;
  ok: boolean;
  tasks?: number;
  added?: string[];
  removed?: string[];
  changed?: string[];
  /** Worker processes replaced by new ones (the old finish their running jobs first). */
  workersReplaced?: number;
  error?: string;
}

export function controlChannel(keys: Keys): string {
  return `${keys.prefix}:control`;
}

/** Publish a command; resolves to how many daemons received it. */
export async function sendControl(redis: Redis, keys: Keys, command: ControlCommand, reply?: string): Promise<number> {
  return redis.publish(controlChannel(keys), reply ? JSON.stringify({ command, reply }) : command);
}

/** Listen on a dedicated connection (a subscribed one can do nothing else); returns a closer. */
export async function listenControl(subscriber: Redis, keys: Keys, onCommand: (c: ControlCommand, reply?: string) => void): Promise<() => void> {
  const channel = controlChannel(keys);
  subscriber.on("message", (ch: string, message: string) => {
    if (ch !== channel) return;
    if (message === "reload") return onCommand(message);
    try {
      const parsed = JSON.parse(message) as { command?: unknown; reply?: unknown };
      if (parsed.command === "reload") onCommand("reload", typeof parsed.reply === "string" ? parsed.reply : undefined);
    } catch {
      /* not one of ours */
    }
  });
  await subscriber.subscribe(channel);
  return () => subscriber.disconnect();
}

/**
 * Send `command` and collect the replies of every daemon that received it, for at most
 * `timeoutMs`. `subscriber` must be a connection of its own (it is put in subscribe mode).
 */
export async function requestControl(
  redis: Redis,
  subscriber: Redis,
  keys: Keys,
  command: ControlCommand,
  timeoutMs: number,
): Promise<{ received: number; replies: ReloadReply[] }> {
  const reply = `${controlChannel(keys)}:reply:${randomBytes(6).toString("hex")}`;
  const replies: ReloadReply[] = [];
  let received = 0;
  let settle: () => void = () => {};
  const all = new Promise<void>((resolve) => (settle = resolve));
  subscriber.on("message", (ch: string, message: string) => {
    if (ch !== reply) return;
    try {
      replies.push(JSON.parse(message) as ReloadReply);
    } catch {
      return;
    }
    if (replies.length >= received && received > 0) settle();
  });
  // Subscribed before sending: a quick daemon's answer cannot be missed.
  await subscriber.subscribe(reply);
  received = await sendControl(redis, keys, command, reply);
  if (received === 0 || replies.length >= received) return { received, replies };
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
  clearTimeout(timer);
  return { received, replies };
}
