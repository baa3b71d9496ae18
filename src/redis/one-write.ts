/**
 * Commands sent back to back in one socket write. ioredis writes each command to the socket as
 * it is sent, so two commands sent together cost two write system calls and two reads on the
 * server; corking the socket while they are sent makes them one write (bench/README.md "Enqueue
 * one by one: the SADD in the script's write"). Only for what `send` sends synchronously: the
 * socket is uncorked before this returns. On a Cluster, or while the connection is not ready
 * (commands then wait in ioredis's offline queue), the commands go as they would without it.
 */
import type { Redis } from "ioredis";
import { isCluster } from "./cluster.js";

interface Corkable {
  cork(): void;
  uncork(): void;
}

export function inOneWrite<T>(redis: Redis, send: () => T): T {
  const stream = !isCluster(redis) && redis.status === "ready" ? (redis.stream as unknown as Partial<Corkable> | undefined) : undefined;
  if (typeof stream?.cork !== "function" || typeof stream.uncork !== "function") return send();
  stream.cork();
  try {
    return send();
  } finally {
    stream.uncork();
  }
}
