/**
 * Real Redis for tests. Every test file gets its own key prefix, so files run in parallel;
 * `cleanup()` deletes that prefix's keys and disconnects. Which server and database: see
 * test-redis-url.ts (TEST_REDIS_URL, TEST_REDIS_DB; database 1 by default, never 0 unasked).
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { createKeys, type Keys } from "../../src/redis/keys.js";
import { testRedisTarget } from "./test-redis-url.js";

const target = testRedisTarget();
export const TEST_REDIS_DB = target.db;
export const TEST_REDIS_URL = target.url;

export interface TestRedis {
  redis: Redis;
  keys: Keys;
  prefix: string;
  url: string;
  /** Every key of this prefix (for "nothing was written" assertions). */
  keyCount(): Promise<number>;
  cleanup(): Promise<void>;
}

export function uniquePrefix(name: string): string {
  return `t-${name.replace(/[^A-Za-z0-9_-]/g, "-")}-${randomBytes(4).toString("hex")}`;
}

export async function testRedis(name: string): Promise<TestRedis> {
  const prefix = uniquePrefix(name);
  const keys = createKeys(prefix);
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  const scanAll = async (): Promise<string[]> => {
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await redis.scan(cursor, "MATCH", `${keys.root}:*`, "COUNT", 1000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== "0");
    return found;
  };
  return {
    redis,
    keys,
    prefix,
    url: TEST_REDIS_URL,
    keyCount: async () => (await scanAll()).length,
    cleanup: async () => {
      const all = await scanAll();
      for (let i = 0; i < all.length; i += 500) await redis.del(...all.slice(i, i + 500));
      redis.disconnect();
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
