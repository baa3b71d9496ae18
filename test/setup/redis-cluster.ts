/**
 * Global setup of the "on-cluster" project: one local Redis Cluster (6 nodes) for the group,
 * its URL provided to the test workers (test/helpers/redis.ts), stopped at the end by pid.
 */
import type { TestProject } from "vitest/node";
import { startRedisCluster, type RedisClusterHandle } from "../helpers/redis-cluster.js";

let cluster: RedisClusterHandle | undefined;

export async function setup(project: TestProject): Promise<void> {
  cluster = await startRedisCluster();
  project.provide("redisClusterUrl" as never, cluster.url as never);
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
}
