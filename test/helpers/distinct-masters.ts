/**
 * Queue names whose tags (the keys' "queue" layout, issue 17) are on different masters of the
 * test cluster, so a test of per-tag work sees the queues really on different shards; on one
 * server, simply the first names.
 */
import { asCluster } from "../../src/redis/cluster.js";
import { masterConnections } from "../../src/ops/masters.js";
import type { Keys } from "../../src/redis/keys.js";
import type { QueueEnv } from "../../src/queue/context.js";
import { ON_TOPOLOGY } from "./redis.js";

/** The master (host:port) a key's slot is served by; "one" on a single server. */
export async function masterOf(redis: QueueEnv["redis"], key: string): Promise<string> {
  const cluster = asCluster(redis);
  if (!cluster) return "one";
  await redis.exists(key); // connected, its slot map loaded
  const slot = Number(await masterConnections(redis)[0]!.call("CLUSTER", "KEYSLOT", key));
  return cluster.slots[slot]?.[0] ?? "?";
}

/** `count` queue names, one per master while there are masters left (on one server, the first ones). */
export async function queuesOnDistinctMasters(redis: QueueEnv["redis"], k: Keys, count = 3): Promise<string[]> {
  const picked = new Map<string, string>();
  for (let i = 0; i < 200 && picked.size < count; i++) {
    const q = `q${i}`;
    const m = await masterOf(redis, k.queue(q));
    if (!picked.has(m) || !ON_TOPOLOGY) picked.set(ON_TOPOLOGY ? m : q, q);
  }
  return [...picked.values()];
}
