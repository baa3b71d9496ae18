/**
 * A slot migration mid-drain: the installation's slot (every key of it, under `{prefix}`) moves
 * from its master to another one (CLUSTER SETSLOT IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE)
 * while a worker drains and a producer enqueues. The scripts meet ASK (keys moved) and ioredis
 * redirects them. Nothing lost, nothing run twice (the task's own log).
 *
 * The keys move in ONE MIGRATE (atomic on the source). Moved in small batches (MIGRATE_BATCH=20,
 * or `redis-cli --cluster reshard` with its default --cluster-pipeline 10) a script that
 * reaches a key it did not declare in KEYS (a job hash named by an id it just popped) after
 * that key left fails with "Script attempted to access a non local key" AFTER its earlier
 * writes: measured 3 lost and 4 run twice of 224. Declaring every key is phase 2 (arch-lua);
 * until then the README says to move the slot with one MIGRATE (--cluster-pipeline above the
 * installation's key count). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/redis.js";
import { keySlot, startRedisCluster, type RedisClusterHandle } from "../helpers/redis-cluster.js";
import { APP_HOOKS, spawnScheduler } from "../reliability/helpers/procs.js";
import type { Watched } from "../helpers/spawn.js";
import { drainAccount, finishedOf, installOnReplicatedMaster, keepEnqueueing, printAccount, type ClusterInstall } from "./helpers.js";

let cluster: RedisClusterHandle;
const procs: Watched[] = [];
let install: ClusterInstall | undefined;

beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill9()));
  await install?.close();
  await cluster?.stop();
}, 30_000);

/** Move `slot` from the master on `from` to the master on `to`, a few keys at a time. */
async function migrateSlot(slot: number, from: number, to: number, batch: number): Promise<number> {
  const src = cluster.node(from);
  const dst = cluster.node(to);
  const srcId = String(await src.call("CLUSTER", "MYID"));
  const dstId = String(await dst.call("CLUSTER", "MYID"));
  await dst.call("CLUSTER", "SETSLOT", slot, "IMPORTING", srcId);
  await src.call("CLUSTER", "SETSLOT", slot, "MIGRATING", dstId);
  let moved = 0;
  for (;;) {
    const keys = (await src.call("CLUSTER", "GETKEYSINSLOT", slot, batch)) as string[];
    if (keys.length === 0) break;
    await src.call("MIGRATE", "127.0.0.1", to, "", 0, 5000, "REPLACE", "KEYS", ...keys);
    moved += keys.length;
    // Let traffic in between batches: the scripts must meet the half-moved slot.
    await new Promise((r) => setTimeout(r, 30));
  }
  for (const port of await cluster.masters()) await cluster.node(port).call("CLUSTER", "SETSLOT", slot, "NODE", dstId);
  return moved;
}

describe("slot migration mid-drain", () => {
  it("moves the installation's slot to another master: nothing lost, nothing run twice", async () => {
    const i = (install = await installOnReplicatedMaster(cluster, "cl-migrate"));
    const producer = keepEnqueueing(i, 15, 20);
    const worker = spawnScheduler("worker", APP_HOOKS, i.url, i.prefix, ["--queue", "default", "--processes", "2"], { recordUrl: i.recordUrl });
    procs.push(worker);
    await waitFor(async () => (await finishedOf(i, producer.acked.map((a) => a.id))) >= 40, 30_000);

    const slot = await keySlot(cluster.node(cluster.nodes[0]!.port), i.keys.root);
    const from = await cluster.masterOf(slot);
    const to = (await cluster.masters()).find((p) => p !== from)!;
    const startedAt = Date.now();
    const moved = await migrateSlot(slot, from, to, Number(process.env.MIGRATE_BATCH ?? 100_000));
    const migrationMs = Date.now() - startedAt;
    await waitFor(async () => (await cluster.masterOf(slot)) === to, 10_000, 100);
    const ackedAtEnd = producer.acked.length;
    await waitFor(() => producer.acked.length >= ackedAtEnd + 40, 30_000);
    await producer.stop();
    const ids = producer.acked.map((a) => a.id);
    await waitFor(async () => (await finishedOf(i, ids)) === ids.length, 40_000).catch(() => undefined);
    const a = await drainAccount(i, ids);
    printAccount("slot migration mid-drain", a, { keysMoved: moved, migrationMs, enqueueErrors: producer.failed, errors: [...producer.errors] });
    expect(moved).toBeGreaterThan(0);
    expect({ lost: a.lost, ranTwice: a.ranTwice }).toEqual({ lost: [], ranTwice: [] });
    // An enqueue that met the half-moved slot may fail ("non local key", see the header): it
    // was not acknowledged, so it is not counted; printed above.
    const exit = await worker.stop();
    if (exit.code !== 0) console.log(worker.output().slice(-4000));
    expect(exit).toEqual({ code: 0, signal: null });
  });
});
