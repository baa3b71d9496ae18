/**
 * What the cluster fault tests share: an installation on the test's cluster (its own prefix,
 * a cluster-aware client made by the product's own createRedis), enqueueing that keeps going
 * through a failover, and the job accounting read from the fixture task's own log.
 *
 * The task log (kwargs.rec) lives on the single test Redis (TEST_REDIS_URL, TEST_REDIS_DB),
 * never on the cluster under test: killing a master must not take the evidence with it.
 */
import type { Redis } from "ioredis";
import { Redis as IORedis } from "ioredis";
import { createRedis } from "../../src/redis/connection.js";
import { createKeys, type Keys } from "../../src/redis/keys.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import type { Job } from "../../src/queue/types.js";
import { relEnv } from "../reliability/helpers/env.js";
import { TEST_JOB_TAGS, TEST_REDIS_URL, uniquePrefix } from "../helpers/redis.js";
import { keySlot, type RedisClusterHandle } from "../helpers/redis-cluster.js";

export interface ClusterInstall {
  prefix: string;
  keys: Keys;
  /** The URL the processes get (durability option included). */
  url: string;
  redis: Redis;
  /** The single test Redis the fixture tasks record to. */
  records: Redis;
  recordUrl: string;
  rec: string;
  close(): Promise<void>;
}

/**
 * The tag of the queue the fault tests drain ("default"): where its jobs, registries and the
 * scheduler's slot records are (the installation's own tag on the installation layout).
 */
export function busyTag(i: Pick<ClusterInstall, "keys">): string {
  return i.keys.jobTag("default");
}

/**
 * A prefix whose busy queue's slot is served by a master that has a connected replica (after an earlier
 * kill one master may have none), so a failover of it can promote someone.
 */
export async function installOnReplicatedMaster(cluster: RedisClusterHandle, name: string, urlOptions = ""): Promise<ClusterInstall> {
  // Bounded: after an earlier kill the restarted node may still be syncing as a replica.
  for (let attempt = 0, deadline = Date.now() + 20_000; attempt < 50 || Date.now() < deadline; attempt++) {
    if (attempt >= 50) await new Promise((r) => setTimeout(r, 200));
    const prefix = uniquePrefix(name);
    const keys = createKeys(prefix, { jobTags: TEST_JOB_TAGS });
    const master = await cluster.masterOf(await keySlot(cluster.node(cluster.nodes[0]!.port), busyTag({ keys })));
    const info = String(await cluster.node(master).info("replication"));
    // a replica that can take over: connected and in sync (one still loading its first sync
    // cannot be promoted, and the kill would leave the slot without a master)
    if (!/^slave\d+:.*state=online.*lag=[01]\b/m.test(info)) continue;
    const url = `${cluster.url}${urlOptions}`;
    const redis = createRedis(url, { connectionName: "test-cluster" });
    // the tests' layout, written before any process starts on the prefix (test/helpers/redis.ts)
    await redis.set(keys.layout(), TEST_JOB_TAGS);
    const records = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
    const rec = `${prefix}:rec`;
    return {
      prefix,
      keys,
      url,
      redis,
      records,
      recordUrl: TEST_REDIS_URL,
      rec,
      async close() {
        await records.del(rec, `${rec}:start`, `${rec}:pid`).catch(() => 0);
        records.disconnect();
        redis.disconnect();
      },
    };
  }
  throw new Error("no master with a replica in sync within 20 s");
}

export interface Enqueuer {
  /** Ids whose enqueue was acknowledged, with when. */
  acked: Array<{ id: string; at: number }>;
  failed: number;
  /** The distinct messages of the failed enqueues. */
  errors: Set<string>;
  stop(): Promise<void>;
}

/** Enqueue app.tasks.work every `everyMs` until stopped; an enqueue that throws is not acknowledged. */
export function keepEnqueueing(i: ClusterInstall, everyMs: number, ms: number): Enqueuer {
  const env = relEnv(i.redis, i.keys);
  const out: Enqueuer = { acked: [], failed: 0, errors: new Set(), stop: async () => {} };
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const job = (await enqueueWith(env, "app.tasks.work", { rec: i.rec, ms })) as Job;
        out.acked.push({ id: job.id, at: Date.now() });
      } catch (err) {
        out.failed++;
        out.errors.add((err as Error).message.slice(0, 200));
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  out.stop = async () => {
    running = false;
    await loop;
  };
  return out;
}

export interface DrainAccount {
  jobs: number;
  /** Acknowledged, never run to the end by the task. */
  lost: string[];
  /** Run to the end more than once. */
  ranTwice: string[];
}

export async function drainAccount(i: ClusterInstall, ids: string[]): Promise<DrainAccount> {
  const done = await i.records.hgetall(i.rec);
  return {
    jobs: ids.length,
    lost: ids.filter((id) => !(Number(done[id] ?? 0) >= 1)),
    ranTwice: ids.filter((id) => Number(done[id] ?? 0) > 1),
  };
}

/** How many of `ids` the task finished at least once (from its own log). */
export async function finishedOf(i: ClusterInstall, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const done = await i.records.hgetall(i.rec);
  return ids.filter((id) => Number(done[id] ?? 0) >= 1).length;
}

export function printAccount(scenario: string, a: DrainAccount, extra: Record<string, unknown> = {}): void {
  // eslint-disable-next-line no-console
  console.log(`CLUSTER ${JSON.stringify({ scenario, jobs: a.jobs, lost: a.lost.length, ranTwice: a.ranTwice.length, ...extra })}`);
}
