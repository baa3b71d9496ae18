/**
 * Clients for the topology URLs (redis-url.ts): an ioredis Cluster for `redis+cluster://`, an
 * ioredis Redis in Sentinel mode for `redis+sentinel://`.
 *
 * The Cluster is handed out typed as `Redis`: every key of an installation carries the one hash
 * tag `{prefix}` (keys.ts), so every command, script, pipeline and MULTI we send has its keys
 * on one slot and the Cluster routes it like a single server would run it. What differs (SCAN,
 * INFO, DBSIZE, SCRIPT LOAD reach one node only) goes through masters.ts / `isCluster`.
 *
 * Failover and migration: the Cluster retries MOVED/ASK at once, TRYAGAIN and a closed
 * connection after a delay, up to `maxRedirections` times; the budget below outlasts a
 * replica's promotion (cluster-node-timeout plus election, a few seconds).
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import { type ClusterTarget, type SentinelTarget, topologyTarget } from "./redis-url.js";
import { tlsConnectOptions } from "./tls.js";

/** Redirections/retries one command may take: 60 x 250 ms covers a 15 s failover. */
export const CLUSTER_MAX_REDIRECTIONS = 60;
export const CLUSTER_RETRY_DELAY_MS = 250;

export function isCluster(redis: unknown): boolean {
  return redis instanceof Cluster || (typeof redis === "object" && redis !== null && (redis as { isCluster?: boolean }).isCluster === true);
}

/** The Cluster behind a client typed `Redis`, or undefined for a single server / Sentinel. */
export function asCluster(redis: unknown): Cluster | undefined {
  return isCluster(redis) ? (redis as Cluster) : undefined;
}

/** The TLS options of a rediss+ URL, read as tls.ts reads a rediss:// one. */
function tlsOf(target: ClusterTarget | SentinelTarget): Partial<RedisOptions> {
  if (!target.tls) return {};
  const q = target.options.toString();
  return tlsConnectOptions(`rediss://tls-options${q ? `?${q}` : ""}`);
}

/**
 * A client for a topology URL. `base` is what connection.ts decided for a single server
 * (timeouts, retries, offline queue); here it is spread over the cluster's node connections.
 */
export function createTopologyClient(url: string, base: RedisOptions, failFast: boolean): Redis {
  const target = topologyTarget(url);
  const auth = { ...(target.username ? { username: target.username } : {}), ...(target.password !== undefined ? { password: target.password } : {}) };
  const tls = tlsOf(target);
  if (target.kind === "sentinel") {
    return new Redis({
      ...base,
      ...auth,
      ...tls,
      sentinels: target.sentinels,
      name: target.name,
      db: target.db,
      ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
      ...(target.tls ? { enableTLSForSentinelMode: true, sentinelTLS: tls.tls } : {}),
      sentinelRetryStrategy: failFast ? () => null : (times: number) => Math.min(times * 200, 2000),
      // Ask the sentinels on every +switch-master instead of waiting for the old master's socket to die.
      failoverDetector: true,
    });
  }
  const { retryStrategy: _own, enableOfflineQueue, lazyConnect, ...nodeOptions } = base;
  const options: ClusterOptions = {
    lazyConnect: lazyConnect ?? true,
    enableOfflineQueue: enableOfflineQueue ?? true,
    clusterRetryStrategy: failFast ? () => null : (times: number) => Math.min(times * 200, 2000),
    maxRedirections: CLUSTER_MAX_REDIRECTIONS,
    retryDelayOnFailover: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnTryAgain: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnClusterDown: CLUSTER_RETRY_DELAY_MS,
    // Discovery (CLUSTER SLOTS) has a bound of its own: a node that accepts and never answers.
    slotsRefreshTimeout: Math.max(1000, base.connectTimeout ?? 1000),
    // Notice a promoted replica even when no command was redirected yet.
    slotsRefreshInterval: 2000,
    redisOptions: { ...nodeOptions, ...auth, ...tls },
    ...(target.natMap ? { natMap: target.natMap } : {}),
  };
  const cluster = new Cluster(target.nodes, options);
  return cluster as unknown as Redis;
}

/** A failFast client's per-command deadline, set once connected (see connectRedis). */
export function setCommandTimeout(redis: Redis, ms: number): void {
  const cluster = asCluster(redis);
  if (!cluster) {
    redis.options.commandTimeout = ms;
    return;
  }
  const options = cluster.options.redisOptions ?? (cluster.options.redisOptions = {});
  options.commandTimeout = ms;
  for (const node of cluster.nodes("all")) node.options.commandTimeout = ms;
}
