/**
 * Real Redis for tests. Every test file gets its own key prefix, so files run in parallel;
 * `cleanup()` deletes that prefix's keys and disconnects. Which server and database: see
 * test-redis-url.ts (TEST_REDIS_URL, TEST_REDIS_DB; database 1 by default, never 0 unasked).
 */
import { randomBytes } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import { inject } from "vitest";
import { scanMasters } from "../../src/ops/masters.js";
import { createRedis } from "../../src/redis/connection.js";
import { createKeys, type JobTagLayout, type Keys } from "../../src/redis/keys.js";
import { isTopologyUrl } from "../../src/redis/redis-url.js";
import { testRedisTarget } from "./test-redis-url.js";

/**
 * The "on-cluster" vitest project (vitest.config.ts) starts a Redis Cluster in its global setup
 * (test/setup/redis-cluster.ts) and provides its URL: the same test files then run on it. A
 * cluster has database 0 only; the per-file prefix keeps files apart.
 */
function providedClusterUrl(): string | undefined {
  try {
    return inject("redisClusterUrl" as never) as string | undefined;
  } catch {
    return undefined; // not inside a test worker (a global setup importing the helpers)
  }
}

const clusterUrl = providedClusterUrl();
const target = clusterUrl ? { url: clusterUrl, db: 0 } : testRedisTarget();
export const TEST_REDIS_DB = target.db;
export const TEST_REDIS_URL = target.url;
/** True when this run's Redis is a cluster (or sentinel set) rather than one server. */
export const ON_TOPOLOGY = isTopologyUrl(TEST_REDIS_URL);

export interface TestRedis {
  redis: Redis;
  keys: Keys;
  prefix: string;
  url: string;
  /** Every key of this prefix (for "nothing was written" assertions). */
  keyCount(): Promise<number>;
  cleanup(): Promise<void>;
}

/**
 * The key layout of the tests' prefixes: "queue" (each queue's job keys on its own tag, issue 17),
 * the layout every new installation gets; TEST_JOB_TAGS=installation for the layout of the
 * installations from before it (the "installation-layout" project runs the core suites so). The
 * prefix's layout marker (src/redis/key-layout.ts) is written either way, so the CLI and daemons
 * a test spawns on it use that layout; keyCount() leaves the marker out.
 */
export const TEST_JOB_TAGS: JobTagLayout = process.env.TEST_JOB_TAGS === "installation" ? "installation" : "queue";

export function uniquePrefix(name: string): string {
  return `t-${name.replace(/[^A-Za-z0-9_-]/g, "-")}-${randomBytes(4).toString("hex")}`;
}

/** Another connection to the tests' Redis (on a cluster, a cluster client): for blocking waits, many clients. */
export function testConnection(options: RedisOptions = {}): Redis {
  return ON_TOPOLOGY ? createRedis(TEST_REDIS_URL) : new Redis(TEST_REDIS_URL, options);
}

export async function testRedis(name: string): Promise<TestRedis> {
  const prefix = uniquePrefix(name);
  const keys = createKeys(prefix, { jobTags: TEST_JOB_TAGS });
  const redis = ON_TOPOLOGY ? createRedis(TEST_REDIS_URL) : new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  await redis.set(keys.layout(), TEST_JOB_TAGS);
  // Every master of a cluster (one server: itself).
  const scanAll = (): Promise<string[]> => scanMasters(redis, keys.pattern);
  return {
    redis,
    keys,
    prefix,
    url: TEST_REDIS_URL,
    keyCount: async () => (await scanAll()).filter((key) => key !== keys.layout()).length,
    cleanup: async () => {
      const all = await scanAll();
      // one DEL per hash tag: on a cluster the keys of one command must share a slot
      const byTag = new Map<string, string[]>();
      for (const key of all) {
        const tag = key.slice(0, key.indexOf("}") + 1);
        byTag.set(tag, [...(byTag.get(tag) ?? []), key]);
      }
      for (const keysOfTag of byTag.values()) {
        for (let i = 0; i < keysOfTag.length; i += 500) await redis.del(...keysOfTag.slice(i, i + 500));
      }
      redis.disconnect();
      // Every script call declares its tag's slot guard (src/redis/keys.ts slotGuardKey): it only
      // works while nothing writes it, so a file whose scripts created one fails here, naming it.
      const written = all.filter((key) => key.endsWith(":slot-guard"));
      if (written.length > 0) throw new Error(`a script wrote the slot guard key ${written.join(", ")}: no script may write a key it did not name in its header`);
    },
  };
}

/** Poll `check` until it returns a truthy value or `timeoutMs` passes (bounded, never open-ended). */
export async function waitFor<T>(check: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
