/**
 * Commands to running daemons over Redis pub/sub (`<prefix>:control`), so `scheduler reload`
 * works from any machine that reaches Redis, without knowing pids or hosts.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.js";

export type ControlCommand = "reload";

export function controlChannel(keys: Keys): string {
  return `${keys.prefix}:control`;
}

/** Publish a command; resolves to how many daemons received it. */
export async function sendControl(redis: Redis, keys: Keys, command: ControlCommand): Promise<number> {
  return redis.publish(controlChannel(keys), command);
}

/** Listen on a dedicated connection (a subscribed one can do nothing else); returns a closer. */
export async function listenControl(subscriber: Redis, keys: Keys, onCommand: (c: ControlCommand) => void): Promise<() => void> {
  const channel = controlChannel(keys);
  subscriber.on("message", (ch: string, message: string) => {
    if (ch === channel && message === "reload") onCommand(message);
  });
  await subscriber.subscribe(channel);
  return () => subscriber.disconnect();
}
