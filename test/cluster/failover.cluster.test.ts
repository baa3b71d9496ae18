/**
 * kill -9 of the master holding the busy queue's slot while workers drain and a producer
 * keeps enqueueing: the replica is promoted, the workers blocked on the dead master resume
 * (the class of bug where blocked reads stay wedged after a failover), and every job is
 * accounted from the task's own log.
 *
 * - durability "replicated": every acknowledged enqueue waited for a replica: none is lost.
 * - default: an enqueue acknowledged in the replication lag before the kill may be lost; the
 *   losses are counted, printed, and must all fall inside that window (the last second).
 * Either way a job whose completion was not yet replicated runs again (at-least-once): bounded
 * by the jobs in flight (2 processes x concurrency 2).
 *
 * The killed node is restarted after the promotion and rejoins as the replica of the promoted
 * one; until then a "replicated" enqueue fails with REPLICA_TIMEOUT (counted as not acknowledged).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/redis.js";
import { keySlot, startRedisCluster, type RedisClusterHandle } from "../helpers/redis-cluster.js";
import { APP_HOOKS, spawnScheduler } from "../reliability/helpers/procs.js";
import type { Watched } from "../helpers/spawn.js";
import { ownedByFile } from "../helpers/test-owner.js";
import { busyTag, drainAccount, finishedOf, installOnReplicatedMaster, keepEnqueueing, printAccount, type ClusterInstall } from "./helpers.js";

let cluster: RedisClusterHandle;
const procs: Watched[] = [];
const installs: ClusterInstall[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill9()));
  for (const i of installs) await i.close();
  await cluster?.stop();
}, 30_000);

const IN_FLIGHT = 4;
/** The window a default-durability enqueue can be lost in: replication lag, well under this. */
const LOSS_WINDOW_MS = 1000;

async function killMasterMidDrain(name: string, urlOptions: string) {
  const i = await installOnReplicatedMaster(cluster, name, urlOptions);
  installs.push(i);
  const producer = keepEnqueueing(i, 15, 20);
  const worker = spawnScheduler("worker", APP_HOOKS, i.url, i.prefix, ["--queue", "default", "--processes", "2"], { recordUrl: i.recordUrl });
  procs.push(worker);
  await waitFor(async () => (await finishedOf(i, producer.acked.map((a) => a.id))) >= 40, 30_000);

  const slot = await keySlot(cluster.node(cluster.nodes[0]!.port), busyTag(i));
  const victimPort = await cluster.masterOf(slot);
  const victim = cluster.nodes.find((n) => n.port === victimPort)!;
  const killedAt = Date.now();
  await victim.server.kill("SIGKILL");
  // Promotion: a replica takes the slot over (cluster-node-timeout 1 s + election).
  await waitFor(async () => (await cluster.masterOf(slot).catch(() => victimPort)) !== victimPort, 20_000, 100);
  const promotedMs = Date.now() - killedAt;
  // The promoted replica has no replica of its own: with durability "replicated" enqueues now
  // fail with REPLICA_TIMEOUT (said, not silently weaker) until the old master is back, which
  // rejoins as the new master's replica.
  // The file's cluster node again (stopped with the cluster in afterAll), not this test's process.
  await ownedByFile(() => victim.server.start());
  await cluster.ready();
  // Keep producing a while on the new master, then stop and let the workers drain.
  const ackedAtKill = producer.acked.length;
  await waitFor(() => producer.acked.length >= ackedAtKill + 40, 30_000);
  const resumedMs = Date.now() - killedAt;
  await producer.stop();
  const ids = producer.acked.map((a) => a.id);
  await waitFor(async () => (await finishedOf(i, ids)) === ids.length, 40_000).catch(() => undefined);
  const a = await drainAccount(i, ids);
  const inWindow = producer.acked.filter((x) => x.at >= killedAt - LOSS_WINDOW_MS && x.at <= killedAt).map((x) => x.id);
  printAccount(name, a, { promotedMs, resumedMs, enqueueErrors: producer.failed, lossWindowJobs: inWindow.length });
  expect(worker.alive()).toBe(true);
  const exit = await worker.stop();
  if (exit.code !== 0) console.log(worker.output().slice(-4000));
  expect(exit).toEqual({ code: 0, signal: null });
  return { a, inWindow };
}

describe("kill -9 of the busy queue's master mid-drain (replica promoted)", () => {
  it('durability "replicated": nothing acknowledged is lost, blocked workers resume on the new master', async () => {
    const { a } = await killMasterMidDrain("cl-kill-repl", "?durability=replicated");
    expect(a.lost).toEqual([]);
    expect(a.ranTwice.length).toBeLessThanOrEqual(IN_FLIGHT);
  });

  it("default durability: losses only among enqueues acknowledged just before the kill, counted", async () => {
    const { a, inWindow } = await killMasterMidDrain("cl-kill-default", "");
    for (const id of a.lost) expect(inWindow).toContain(id);
    expect(a.ranTwice.length).toBeLessThanOrEqual(IN_FLIGHT);
  });
});
