/**
 * A slot migration mid-drain: the busy queue's slot (every key of its tag: `{prefix:default}`, or `{prefix}`
 * on the installation layout) moves from its master to another one (CLUSTER SETSLOT IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE)
 * while a worker drains and a producer enqueues. Nothing lost, nothing run twice (the task's own
 * log), and no enqueue refused.
 *
 * Twice: the keys in ONE MIGRATE (atomic on the source), and 10 keys per MIGRATE as
 * `redis-cli --cluster reshard` moves them (its default --cluster-pipeline 10). In small batches
 * a script that named a key by itself (a job hash of an id it just popped) used to meet it on
 * the other node: an error after its first writes, or a key that looked absent (measured: 4 lost
 * and 2 run twice of 338). Every script call now declares its tag's slot guard, a key nothing
 * writes (src/redis/keys.ts slotGuardKey): while the slot migrates Redis answers ASK/TRYAGAIN
 * instead of running the script, and the client retries it once the slot has settled.
 * MIGRATE_BATCH=n runs the small-batch case with n keys per MIGRATE. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/redis.js";
import { keySlot, startRedisCluster, type RedisClusterHandle } from "../helpers/redis-cluster.js";
import { APP_HOOKS, CRON_HOOKS, spawnScheduler } from "../reliability/helpers/procs.js";
import { doubledSlots, readSlotLog } from "../reliability/helpers/slot-log.js";
import type { Watched } from "../helpers/spawn.js";
import { busyTag, drainAccount, finishedOf, installOnReplicatedMaster, keepEnqueueing, printAccount, type ClusterInstall } from "./helpers.js";

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

const SMALL_BATCH = Number(process.env.MIGRATE_BATCH ?? 10);

describe("slot migration mid-drain", () => {
  it.each([
    { how: "in one MIGRATE", batch: 1_000_000, name: "cl-migrate" },
    { how: `${SMALL_BATCH} keys per MIGRATE (redis-cli --cluster reshard)`, batch: SMALL_BATCH, name: "cl-reshard" },
  ])("moves the busy queue's slot $how: nothing lost, nothing run twice", async ({ how, batch, name }) => {
    const i = (install = await installOnReplicatedMaster(cluster, name));
    const producer = keepEnqueueing(i, 15, 20);
    const worker = spawnScheduler("worker", APP_HOOKS, i.url, i.prefix, ["--queue", "default", "--processes", "2"], { recordUrl: i.recordUrl });
    procs.push(worker);
    try {
      await waitFor(async () => (await finishedOf(i, producer.acked.map((a) => a.id))) >= 40, 30_000);

      const slot = await keySlot(cluster.node(cluster.nodes[0]!.port), busyTag(i));
      const from = await cluster.masterOf(slot);
      const to = (await cluster.masters()).find((p) => p !== from)!;
      const startedAt = Date.now();
      const moved = await migrateSlot(slot, from, to, batch);
      const migrationMs = Date.now() - startedAt;
      await waitFor(async () => (await cluster.masterOf(slot)) === to, 10_000, 100);
      const ackedAtEnd = producer.acked.length;
      await waitFor(() => producer.acked.length >= ackedAtEnd + 40, 30_000);
      await producer.stop();
      const ids = producer.acked.map((a) => a.id);
      await waitFor(async () => (await finishedOf(i, ids)) === ids.length, 40_000).catch(() => undefined);
      const a = await drainAccount(i, ids);
      printAccount(`slot migration mid-drain, ${how}`, a, { keysMoved: moved, migrationMs, enqueueErrors: producer.failed, errors: [...producer.errors] });
      expect(moved).toBeGreaterThan(0);
      expect({ lost: a.lost, ranTwice: a.ranTwice }).toEqual({ lost: [], ranTwice: [] });
      // the scripts wait the migration out (the slot guard), so no enqueue fails either
      expect([...producer.errors]).toEqual([]);
      const exit = await worker.stop();
      if (exit.code !== 0) console.log(worker.output().slice(-4000));
      expect(exit).toEqual({ code: 0, signal: null });
    } finally {
      await producer.stop();
      await worker.kill9();
      await install?.close();
      install = undefined;
    }
  });

  it(`moves it ${SMALL_BATCH} keys per MIGRATE under two daemons firing every second: no slot fired twice`, async () => {
    const i = (install = await installOnReplicatedMaster(cluster, "cl-reshard-cron"));
    const daemons = [0, 1].map(() =>
      spawnScheduler("start", CRON_HOOKS, i.url, i.prefix, ["--queue", "default"], { recordUrl: i.recordUrl, env: { RELIABILITY_REC: i.rec } }),
    );
    procs.push(...daemons);
    const producer = keepEnqueueing(i, 20, 20);
    const slotsRun = async () => (await readSlotLog(i.records, i.rec)).runs.size;
    try {
      await waitFor(async () => (await slotsRun()) >= 3 && (await finishedOf(i, producer.acked.map((a) => a.id))) >= 30, 30_000);
      const slot = await keySlot(cluster.node(cluster.nodes[0]!.port), busyTag(i));
      const from = await cluster.masterOf(slot);
      const to = (await cluster.masters()).find((p) => p !== from)!;
      const startedAt = Date.now();
      const moved = await migrateSlot(slot, from, to, SMALL_BATCH);
      const migrationMs = Date.now() - startedAt;
      // the schedule keeps firing on the new master, and the producer gets through
      const slotsAtEnd = await slotsRun();
      const ackedAtEnd = producer.acked.length;
      await waitFor(async () => (await slotsRun()) >= slotsAtEnd + 3 && producer.acked.length >= ackedAtEnd + 30, 30_000, 100);
      await producer.stop();
      const ids = producer.acked.map((a) => a.id);
      await waitFor(async () => (await finishedOf(i, ids)) === ids.length, 40_000).catch(() => undefined);
      const a = await drainAccount(i, ids);
      const log = await readSlotLog(i.records, i.rec);
      printAccount(`slot migration, ${SMALL_BATCH} keys per MIGRATE, per-second schedule`, a, {
        keysMoved: moved,
        migrationMs,
        slots: log.runs.size,
        slotsTwice: doubledSlots(log).length,
        enqueueErrors: producer.failed,
      });
      expect(moved).toBeGreaterThan(0);
      expect(doubledSlots(log)).toEqual([]);
      expect({ lost: a.lost, ranTwice: a.ranTwice }).toEqual({ lost: [], ranTwice: [] });
      expect([...producer.errors]).toEqual([]);
      for (const d of daemons) expect(d.alive()).toBe(true);
    } finally {
      await producer.stop();
      for (const d of daemons) await d.stop();
      await i.records.del(`${i.rec}:slots`).catch(() => 0);
      await install?.close();
      install = undefined;
    }
  });
});
