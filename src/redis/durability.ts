/**
 * `durability: "replicated"`: an acknowledged enqueue (and the scheduler's slot record, written
 * by the same script) has reached at least one replica. After the script, on the same
 * connection, `WAIT 1 <ms>`: Redis answers how many replicas acknowledged every write this
 * connection made so far. WAIT is no state change, so it may follow the script.
 *
 * Set by the URL option `?durability=replicated` (hooks `redis: { url, durability }` and the
 * cluster/sentinels object form write it into the URL), so every process that connects with
 * that URL (daemon, worker children, CLI) applies it. Default "none": as before, no WAIT.
 *
 * When no replica acknowledges within the bound the job IS written on the master, but a
 * failover now could lose it: the enqueue fails with REPLICA_TIMEOUT saying exactly that (an
 * enqueue retried with the same job id and deduplicate: true cannot double it).
 */
import type { Redis } from "ioredis";
import { SchedulerError } from "../base/errors.js";
import { asCluster } from "./cluster.js";
import type { Durability } from "./redis-url.js";

/** How long an enqueue waits for a replica's acknowledgement. */
export const REPLICA_WAIT_MS = 2000;

const modes = new WeakMap<object, Durability>();

/** `?durability=` of any Redis URL form; "none" when absent. */
export function durabilityOfUrl(url: string): Durability {
  const q = url.indexOf("?");
  if (q === -1) return "none";
  const v = new URLSearchParams(url.slice(q + 1).split("#")[0]).get("durability");
  return v === "replicated" ? "replicated" : "none";
}

/** The URL without `durability=` (ioredis would merge an unknown query option into its own). */
export function stripDurability(url: string): string {
  if (!url.includes("durability=")) return url;
  const q = url.indexOf("?");
  const params = new URLSearchParams(url.slice(q + 1));
  params.delete("durability");
  const rest = params.toString();
  return `${url.slice(0, q)}${rest ? `?${rest}` : ""}`;
}

export function useDurability(client: object, mode: Durability): void {
  if (mode === "none") modes.delete(client);
  else modes.set(client, mode);
}

export function durabilityOf(client: object): Durability {
  return modes.get(client) ?? "none";
}

export class ReplicaTimeoutError extends SchedulerError {}

/**
 * After a write to `key`'s slot: with durability "replicated", wait until one replica has it.
 * On a cluster the WAIT goes to the master serving that key, on the connection the write used.
 */
export async function awaitReplication(redis: Redis, key: string, what = "enqueue", timeoutMs = REPLICA_WAIT_MS): Promise<void> {
  if (durabilityOf(redis) !== "replicated") return;
  const node = await masterConnectionOf(redis, key);
  const acked = Number(await node.call("WAIT", 1, timeoutMs));
  if (acked >= 1) return;
  throw new ReplicaTimeoutError(
    "REPLICA_TIMEOUT",
    `${what}: written on the master, but no replica acknowledged it within ${timeoutMs} ms (durability "replicated"): a failover now could lose it`,
    { hint: "check that the master has a connected replica (INFO replication); retrying with the same job id and deduplicate: true is safe" },
  );
}

async function masterConnectionOf(redis: Redis, key: string): Promise<Redis> {
  const cluster = asCluster(redis);
  if (!cluster) return redis;
  const slot = await slotOf(cluster.nodes("master")[0] ?? redis, key);
  const address = cluster.slots[slot]?.[0];
  const node = cluster.nodes("master").find((n) => `${n.options.host}:${n.options.port}` === address);
  if (!node) throw new ReplicaTimeoutError("REPLICA_TIMEOUT", `${key}: no master known for slot ${slot} to WAIT on`);
  return node;
}

const slots = new Map<string, number>();

/** CLUSTER KEYSLOT, asked once per key (a key's slot never changes). */
async function slotOf(node: Redis, key: string): Promise<number> {
  let slot = slots.get(key);
  if (slot === undefined) {
    slot = Number(await node.call("CLUSTER", "KEYSLOT", key));
    slots.set(key, slot);
  }
  return slot;
}
