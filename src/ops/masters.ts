/**
 * Reading every master. On a Redis Cluster a keyless command (SCAN, INFO, DBSIZE, CONFIG) goes
 * to one node of ioredis's choosing, so a read model that scanned or measured "the server"
 * would see one shard. These helpers ask each master in turn; on a single server (or the
 * master Sentinel found) there is one, the connection itself: one code path.
 */
import type { Redis } from "ioredis";
import { asCluster } from "../redis/cluster.js";
import { parseInfo } from "./redis-info.js";

/** One connection per master: the cluster's master nodes, or the connection itself. */
export function masterConnections(redis: Redis): Redis[] {
  const cluster = asCluster(redis);
  return cluster ? cluster.nodes("master") : [redis];
}

export function isClusterConnection(redis: Redis): boolean {
  return asCluster(redis) !== undefined;
}

/**
 * Keys matching `pattern` on every master (SCAN, COUNT 1000), until `enough` says stop; `keep`
 * drops matches a glob cannot tell apart. A key lives on one master, so no key is seen twice.
 */
export async function scanMasters(redis: Redis, pattern: string, enough: (found: number) => boolean = () => false, keep?: (key: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  for (const node of masterConnections(redis)) {
    let cursor = "0";
    do {
      const [next, batch] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      found.push(...(keep ? batch.filter(keep) : batch));
    } while (cursor !== "0" && !enough(found.length));
    if (enough(found.length)) break;
  }
  return found;
}

export interface MasterView {
  /** host:port as the cluster announces it. */
  address: string;
  role: string;
  usedMemory?: number;
  usedMemoryHuman?: string;
  /** DBSIZE: every key on that master, this installation's and others'. */
  keys?: number;
  /** Replicas connected to it (INFO replication connected_slaves). */
  replicas?: number;
  /** This master serves the slot of the installation's hash tag. */
  holdsInstallation?: boolean;
  /** The installation's hash tags this master serves ({prefix}, and on the per-queue layout each queue's {prefix:queue} it holds). */
  holds?: string[];
  /** Set when that master did not answer. */
  error?: string;
}

/**
 * One view per master of a cluster; undefined on a single server (status shows it as before).
 * `tags`: the installation's hash tags, the first its own ({prefix}); each view names those it
 * serves (one CLUSTER KEYSLOT per tag, asked of one node).
 */
export async function readMasters(redis: Redis, tags: readonly string[] = []): Promise<MasterView[] | undefined> {
  const cluster = asCluster(redis);
  if (!cluster) return undefined;
  const nodes = cluster.nodes("master");
  const holders = await Promise.all(
    tags.map(async (tag) => {
      const slot = nodes[0] ? Number(await nodes[0].call("CLUSTER", "KEYSLOT", tag).catch(() => NaN)) : NaN;
      return Number.isInteger(slot) ? cluster.slots[slot]?.[0] : undefined;
    }),
  );
  const holder = holders[0];
  const views = await Promise.all(
    nodes.map(async (node): Promise<MasterView> => {
      const address = `${node.options.host}:${node.options.port}`;
      try {
        const [info, keys] = await Promise.all([node.info(), node.dbsize()]);
        const f = parseInfo(info);
        const memory = Number(f.used_memory);
        return {
          address,
          role: f.role ?? "master",
          ...(Number.isFinite(memory) ? { usedMemory: memory } : {}),
          ...(f.used_memory_human ? { usedMemoryHuman: f.used_memory_human } : {}),
          keys,
          ...(f.connected_slaves !== undefined ? { replicas: Number(f.connected_slaves) } : {}),
          ...(holder === address ? { holdsInstallation: true } : {}),
          ...(holders.includes(address) ? { holds: tags.filter((_, i) => holders[i] === address) } : {}),
        };
      } catch (err) {
        return { address, role: "master", error: (err as Error).message };
      }
    }),
  );
  return views.sort((a, b) => a.address.localeCompare(b.address, "en", { numeric: true }));
}
