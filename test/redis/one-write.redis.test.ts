/**
 * inOneWrite (src/redis/one-write.ts): commands sent inside it reach the server in one socket
 * write. Counted on a redis-server of this test's own (INFO's total_reads_processed is
 * server-wide): each corked pair is one read, however the two processes are scheduled.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { redisServer, type RedisServer } from "../reliability/helpers/redis-server.js";
import { inOneWrite } from "../../src/redis/one-write.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../../src/config/defaults.js";
import { createKeys } from "../../src/redis/keys.js";
import { systemClock } from "../../src/base/clock.js";
import { preloadScripts } from "../../src/redis/scripts.js";

let server: RedisServer;
let redis: Redis;

async function readsProcessed(): Promise<number> {
  const info = await redis.info("stats");
  return Number(/total_reads_processed:(\d+)/.exec(info)![1]);
}

/** Reads the server made for `rounds` calls of `send`, less the INFO calls that count them. */
async function readsFor(rounds: number, send: (i: number) => Promise<unknown>): Promise<number> {
  const before = await readsProcessed();
  for (let i = 0; i < rounds; i++) await send(i);
  return (await readsProcessed()) - before - 1;
}

beforeAll(async () => {
  server = await redisServer();
  await server.start();
  redis = new Redis(server.url, { maxRetriesPerRequest: 2 });
  await redis.ping();
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describe("inOneWrite", () => {
  it("sends a SADD and a script together in one write: one read per pair", async () => {
    const reads = await readsFor(50, (i) => inOneWrite(redis, () => Promise.all([redis.sadd("{w}:set", `q${i % 3}`), redis.eval("return ARGV[1]", 0, i)])));
    expect(reads).toBe(50);
  });

  it("an enqueue's queues-set SADD and its script: one read per enqueue", async () => {
    const keys = createKeys("one-write");
    const env = { redis, keys, clock: systemClock, queues: BUILTIN_QUEUES, retention: DEFAULT_RETENTION };
    await preloadScripts(redis, ["enqueue"]);
    const reads = await readsFor(20, (i) => enqueueWith(env, "my_app.tasks.t", { i }));
    expect(reads).toBe(20);
    expect(await redis.smembers(keys.queues())).toEqual(["default"]);
    expect(await redis.llen(keys.queue("default"))).toBe(20);
  });

  it("still sends when the connection is not ready (ioredis's offline queue)", async () => {
    const lazy = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    try {
      const [added, echoed] = await inOneWrite(lazy, () => Promise.all([lazy.sadd("{w}:lazy", "a"), lazy.eval("return ARGV[1]", 0, "x")]));
      expect([added, echoed]).toEqual([1, "x"]);
    } finally {
      lazy.disconnect();
    }
  });
});
