#!/usr/bin/env node
/**
 * Cluster section (issue 17): 5 queues x N no-op jobs drained by `scheduler start` workers on a
 * 3-master Redis Cluster, and the same on one Redis; both servers are the bench's own
 * (lib/redis-servers.mjs: free ports, temp folders, stopped by pid), so INFO commandstats
 * counts this run only. Prints jobs/s for both, keys per job, commands and script calls per
 * job, and each master's share of the commands (commandstats delta per master).
 *
 * `node bench/cluster.mjs [N]` on its own, or `BENCH_ONLY=cluster npm run bench` (run.mjs).
 * The per-queue key layout new installations get (each queue's keys on a tag of their own; the
 * layout marker, src/redis/key-layout.ts, written for the bench's prefix, so the daemon follows),
 * or `BENCH_KEY_LAYOUT=installation` for every key on one tag. `BENCH_PARTITIONS` (default 3):
 * each queue spread over that many partitions (hooks `queues.<name>.partitions`), each on a tag
 * of its own; `BENCH_PARTITIONS=1` for one tag per queue.
 * Needs `npm run build` first (it drives dist/ and bin/scheduler.js).
 */
import { pathToFileURL } from "node:url";
import { createKeys } from "../dist/redis/keys.js";
import { connectRedis } from "../dist/redis/connection.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../dist/config/defaults.js";
import { enqueueManyWith } from "../dist/queue/enqueue-many.js";
import { partitionNames } from "../dist/config/partition-names.js";
import { BENCH_LAYOUT, loadAverage, waitFor } from "./lib/common.mjs";
import { commandCalls, startCluster, startServer } from "./lib/redis-servers.mjs";
import { spawnDaemon } from "./systems/hs.mjs";

export const CLUSTER_QUEUES = ["cl-a", "cl-b", "cl-c", "cl-d", "cl-e"];
const PREFIX = "bench-cl";
const LAYOUT = BENCH_LAYOUT;
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 3);
const SLICE = 1000;
// commands the bench itself sends to read the servers, not the system under test
const OWN = new Set(["info", "config", "dbsize"]);

const sum = (o) => Object.entries(o).reduce((n, [cmd, calls]) => n + (OWN.has(cmd) ? 0 : calls), 0);
const scripts = (o) => (o.evalsha ?? 0) + (o.eval ?? 0) + (o.fcall ?? 0);

/** One topology: fill 5 queues, drain them with the daemon, measure. `servers`: its masters. */
async function drainOn({ url, servers, n, concurrency }) {
  const redis = await connectRedis(url, { connectionName: "bench-cluster" });
  const keys = createKeys(PREFIX, { jobTags: LAYOUT });
  const queues = Object.fromEntries(CLUSTER_QUEUES.map((q) => [q, { timeout: 60, workers: 1, concurrency, ...(PARTITIONS > 1 ? { partitions: PARTITIONS } : {}) }]));
  const env = { redis, keys, clock: () => Date.now(), queues: { ...BUILTIN_QUEUES, ...queues }, retention: { ...DEFAULT_RETENTION, finished: 3600 } };
  // where the jobs are: each queue, or each partition of it
  const places = CLUSTER_QUEUES.flatMap((q) => partitionNames(env.queues, q));
  const total = n * CLUSTER_QUEUES.length;
  try {
    await redis.set(keys.layout(), LAYOUT);
    await Promise.all(servers.map((s) => s.client.config("RESETSTAT")));
    for (const q of CLUSTER_QUEUES) {
      for (let i = 0; i < n; i += SLICE) {
        const items = [];
        for (let k = i; k < Math.min(n, i + SLICE); k++) items.push({ method: "bench_app.tasks.noop", options: { queue: q } });
        await enqueueManyWith(env, items);
      }
    }
    const keysQueued = (await Promise.all(servers.map((s) => s.client.dbsize()))).reduce((a, b) => a + b, 0);
    const afterFill = await Promise.all(servers.map((s) => commandCalls(s.client)));
    const d = await spawnDaemon({ prefix: PREFIX, url, queues: CLUSTER_QUEUES, env: { BENCH_CONCURRENCY: String(concurrency), BENCH_PARTITIONS: String(PARTITIONS) } });
    try {
      await waitFor(
        async () => {
          const done = await Promise.all(places.map((q) => redis.zcard(keys.finished(q))));
          const failed = await Promise.all(places.map((q) => redis.zcard(keys.failed(q))));
          if (failed.some((f) => f > 0)) throw new Error(`bench cluster: jobs failed; daemon said: ${d.output()}`);
          return done.reduce((a, b) => a + b, 0) >= total;
        },
        300_000,
        `${total} finished jobs on ${url}`,
        100,
      );
    } finally {
      await d.stop();
    }
    const afterDrain = await Promise.all(servers.map((s) => commandCalls(s.client)));
    const keysFinished = (await Promise.all(servers.map((s) => s.client.dbsize()))).reduce((a, b) => a + b, 0);
    // one pipeline per queue: its job hashes share whatever tag that queue's keys are on
    let first = Infinity;
    let last = -Infinity;
    for (const q of places) {
      const ids = await redis.zrange(keys.finished(q), 0, -1);
      const pipe = redis.pipeline();
      for (const id of ids) pipe.hmget(keys.job(id, keys.jobTag(q)), "startedAt", "endedAt");
      for (const [, r] of await pipe.exec()) {
        first = Math.min(first, Number(r[0]));
        last = Math.max(last, Number(r[1]));
      }
    }
    const perMaster = afterDrain.map((calls, i) => ({ port: servers[i].port, enqueue: sum(afterFill[i]), total: sum(calls), scripts: scripts(calls) }));
    const all = perMaster.reduce((a, m) => a + m.total, 0);
    return {
      jobs: total,
      jobsPerSec: (total / Math.max(1, last - first)) * 1000,
      keysPerJobQueued: keysQueued / total,
      keysPerJobFinished: keysFinished / total,
      commandsPerJob: all / total,
      enqueueCommandsPerJob: perMaster.reduce((a, m) => a + m.enqueue, 0) / total,
      scriptsPerJob: perMaster.reduce((a, m) => a + m.scripts, 0) / total,
      masters: perMaster.map((m) => ({ ...m, share: all ? m.total / all : 0 })),
    };
  } finally {
    redis.disconnect();
  }
}

/** Both topologies, one after the other; every server it started is stopped before it returns. */
export async function runClusterBench({ n = 2000, concurrency = 10, step = () => {} } = {}) {
  const load = { start: loadAverage() };
  step(`cluster: one Redis, ${CLUSTER_QUEUES.length} queues x ${n} no-op jobs, concurrency ${concurrency}`);
  const single = await startServer();
  let one;
  try {
    one = await drainOn({ url: single.url, servers: [single], n, concurrency });
  } finally {
    await single.stop();
  }
  step(`cluster: 3-master Redis Cluster, the same drain`);
  const cluster = await startCluster(3);
  let three;
  try {
    three = await drainOn({ url: cluster.url, servers: cluster.servers, n, concurrency });
  } finally {
    await cluster.stop();
  }
  load.end = loadAverage();
  return { n, concurrency, layout: LAYOUT, partitions: PARTITIONS, queues: CLUSTER_QUEUES.length, loadAverage: load, single: one, cluster: three };
}

/** The section as text: one row per figure, one Redis beside the cluster. */
export function renderCluster(r) {
  const f = (v, d = 2) => (v === undefined ? "-" : v.toFixed(d));
  const busiest = Math.max(...r.cluster.masters.map((m) => m.share));
  const rows = [
    ["jobs/s (5N / (last end - first start))", f(r.single.jobsPerSec, 0), f(r.cluster.jobsPerSec, 0)],
    ["keys per job, all queued (DBSIZE / jobs)", f(r.single.keysPerJobQueued), f(r.cluster.keysPerJobQueued)],
    ["keys per job, all finished", f(r.single.keysPerJobFinished), f(r.cluster.keysPerJobFinished)],
    ["commands per job, enqueue + drain (commandstats)", f(r.single.commandsPerJob), f(r.cluster.commandsPerJob)],
    ["  of which enqueue", f(r.single.enqueueCommandsPerJob), f(r.cluster.enqueueCommandsPerJob)],
    ["script calls per job (EVALSHA + EVAL)", f(r.single.scriptsPerJob), f(r.cluster.scriptsPerJob)],
    ...r.cluster.masters.map((m, i) => [`master ${i + 1} share of commands`, r.single.masters[i] ? `${f(r.single.masters[i].share * 100, 1)} %` : "", `${f(m.share * 100, 1)} %`]),
    ["busiest master's share (target <= 43.3 %)", "", `${f(busiest * 100, 1)} % ${busiest <= 1 / 3 + 0.1 ? "met" : "MISSED"}`],
  ];
  const w = [Math.max(...rows.map((x) => x[0].length)), 10, 12];
  const line = (c) => `| ${c[0].padEnd(w[0])} | ${c[1].padStart(w[1])} | ${c[2].padStart(w[2])} |`;
  return [
    `cluster (issue 17): ${r.queues} queues x ${r.n} no-op jobs, concurrency ${r.concurrency} per queue, key layout "${r.layout}", ${r.partitions} partition(s) per queue; load average ${r.loadAverage.start.join(" ")} -> ${r.loadAverage.end.join(" ")}`,
    line(["figure", "one Redis", "3 masters"]),
    `|${"-".repeat(w[0] + 2)}|${"-".repeat(w[1] + 1)}:|${"-".repeat(w[2] + 1)}:|`,
    ...rows.map(line),
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const n = Number(process.argv[2] ?? 2000);
  const r = await runClusterBench({ n, step: (m) => process.stderr.write(`[bench] ${m}\n`) });
  console.log(renderCluster(r));
}
