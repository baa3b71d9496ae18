/**
 * A local Redis Cluster of the test's own: 6 redis-servers (3 masters, 3 replicas) on ports
 * that were free, joined by `redis-cli --cluster create --cluster-replicas 1`, ready once every
 * node says cluster_state:ok and agrees on the slots. Each node is a test/reliability
 * redis-server (pid file, own temp folder, stopped by pid: only what this file started).
 *
 * cluster-node-timeout is 1 s so a killed master's replica is promoted in about 2-3 s.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { redisServer, type RedisServer } from "../reliability/helpers/redis-server.js";
import { waitFor } from "./redis.js";

const run = promisify(execFile);

export const CLUSTER_NODE_TIMEOUT_MS = 1000;

export interface ClusterNode {
  server: RedisServer;
  port: number;
}

export interface RedisClusterHandle {
  nodes: ClusterNode[];
  /** redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3 (the first three nodes as seeds). */
  url: string;
  /** A plain connection to one node (not cluster-aware): for CLUSTER/INFO commands. */
  node(port: number): Redis;
  /** The port of the master now serving `slot`. */
  masterOf(slot: number): Promise<number>;
  /** Ports of the current masters. */
  masters(): Promise<number[]>;
  /** Wait (bounded) until every live node reports cluster_state:ok and one master per slot range. */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  /** Extra redis-server arguments for every node (e.g. ["--requirepass", "pw", "--masterauth", "pw"]). */
  args?: string[];
  password?: string;
}

export async function startRedisCluster(o: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const args = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", String(CLUSTER_NODE_TIMEOUT_MS), ...(o.args ?? [])];
  const servers: RedisServer[] = [];
  const clients = new Map<number, Redis>();
  const stop = async () => {
    for (const c of clients.values()) c.disconnect();
    clients.clear();
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    for (let i = 0; i < 6; i++) servers.push(await redisServer({ args, password: o.password }));
    await Promise.all(servers.map((s) => s.start()));
    const auth = o.password ? ["-a", o.password, "--no-auth-warning"] : [];
    await run("redis-cli", [...auth, "--cluster", "create", ...servers.map((s) => `127.0.0.1:${s.port}`), "--cluster-replicas", "1", "--cluster-yes"], { timeout: 30_000 });
  } catch (err) {
    await stop();
    throw err;
  }
  const node = (port: number): Redis => {
    let c = clients.get(port);
    if (!c || c.status === "end") {
      c = new Redis({ host: "127.0.0.1", port, password: o.password, maxRetriesPerRequest: 1, connectTimeout: 1000, commandTimeout: 3000, retryStrategy: () => null });
      c.on("error", () => {});
      clients.set(port, c);
    }
    return c;
  };
  const live = () => servers.filter((s) => s.proc().exitCode === null && s.proc().signalCode === null);
  const slotMasters = async (): Promise<Array<[number, number, number]>> => {
    for (const s of live()) {
      try {
        const slots = (await node(s.port).call("CLUSTER", "SLOTS")) as Array<[number, number, [string, number]]>;
        return slots.map(([from, to, [, port]]) => [from, to, port]);
      } catch {
        // try the next node
      }
    }
    throw new Error("no cluster node answers CLUSTER SLOTS");
  };
  const handle: RedisClusterHandle = {
    nodes: servers.map((server) => ({ server, port: server.port })),
    url: `redis+cluster://${o.password ? `:${encodeURIComponent(o.password)}@` : ""}${servers.slice(0, 3).map((s) => `127.0.0.1:${s.port}`).join(",")}`,
    node,
    async masterOf(slot) {
      const hit = (await slotMasters()).find(([from, to]) => slot >= from && slot <= to);
      if (!hit) throw new Error(`no master serves slot ${slot}`);
      return hit[2];
    },
    async masters() {
      return [...new Set((await slotMasters()).map(([, , port]) => port))].sort((a, b) => a - b);
    },
    async ready(timeoutMs = 20_000) {
      await waitFor(
        async () => {
          const alive = live();
          const states = await Promise.all(
            alive.map(async (s) => {
              try {
                return String(await node(s.port).call("CLUSTER", "INFO"));
              } catch {
                return "";
              }
            }),
          );
          if (!states.every((t) => t.includes("cluster_state:ok") && t.includes("cluster_slots_ok:16384"))) return false;
          // Every live master knows it is one, and the slot map covers 16384 slots.
          const map = await slotMasters().catch(() => []);
          const covered = map.reduce((n, [from, to]) => n + to - from + 1, 0);
          return covered === 16384 && map.every(([, , port]) => alive.some((s) => s.port === port));
        },
        timeoutMs,
        100,
      );
    },
    stop,
  };
  try {
    await handle.ready();
  } catch (err) {
    await stop();
    throw err;
  }
  return handle;
}

/** CLUSTER KEYSLOT of a key, computed by the server. */
export async function keySlot(redis: Redis, key: string): Promise<number> {
  return Number(await redis.call("CLUSTER", "KEYSLOT", key));
}
