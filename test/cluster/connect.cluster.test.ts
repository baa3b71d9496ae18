/**
 * Connecting to a Redis Cluster through `redis+cluster://`: discovery, one clear line when
 * nothing answers (bounded), the password masked, and the CLI reading the installation on it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectRedis } from "../../src/redis/connection.js";
import { freePort } from "../../src/base/free-port.js";
import { startRedisCluster, type RedisClusterHandle } from "../helpers/redis-cluster.js";

let cluster: RedisClusterHandle;

beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describe("redis+cluster://", () => {
  it("discovers the cluster from seed nodes and routes keys of every slot", async () => {
    const redis = await connectRedis(cluster.url, { failFast: true });
    try {
      for (let i = 0; i < 30; i++) await redis.set(`conn-test:${i}`, String(i));
      const values = await Promise.all(Array.from({ length: 30 }, (_, i) => redis.get(`conn-test:${i}`)));
      expect(values).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
      expect(await cluster.masters()).toHaveLength(3);
    } finally {
      redis.disconnect();
    }
  });

  it("pointing at nothing: one line naming the URL (password masked), within the connect bound", async () => {
    const port = await freePort();
    const url = `redis+cluster://:s3cret@127.0.0.1:${port},127.0.0.1:${port + 1}`;
    const started = Date.now();
    const err = await connectRedis(url, { failFast: true, connectTimeoutMs: 1500 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toContain(`redis+cluster://:***@127.0.0.1:${port}`);
    expect(err!.message).not.toContain("s3cret");
    expect(err!.message.split("\n")).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("redis+sentinel:// pointing at no sentinel: one line naming the URL, within the bound", async () => {
    const port = await freePort();
    const url = `redis+sentinel://:s3cret@127.0.0.1:${port}/mymaster`;
    const started = Date.now();
    const err = await connectRedis(url, { failFast: true, connectTimeoutMs: 1500 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err!.message).toContain(`redis+sentinel://:***@127.0.0.1:${port}/mymaster`);
    expect(err!.message).not.toContain("s3cret");
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
