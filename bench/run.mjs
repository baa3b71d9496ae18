#!/usr/bin/env node
/**
 * `npm run bench`: every scenario for hooks-scheduler, then BullMQ, Bee-Queue and RQ (when a
 * python3 with rq exists), in one run on one Redis database; prints a table (ratios to each, targets)
 * and writes bench/results/latest.json. Reports, never asserts. Needs `npm run build` first (the
 * bench drives dist/ and bin/scheduler.js) and Redis at BENCH_REDIS_URL (default DB 10).
 *
 * Env: BENCH_REDIS_URL, BENCH_QUICK=1 (small sizes, for trying the suite), BENCH_ONLY=enqueue,
 * throughput,latency,precision,scale,memory,ceiling,cluster (comma list), BENCH_DAEMON_NODE_ARGS (profile).
 * The cluster section (bench/cluster.mjs) starts servers of its own and prints a table of its own.
 * The other files in bench/ are narrower diagnostics of single components, run on their own.
 */
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { BENCH_URL, ROOT, loadAverage, redisClient, summary } from "./lib/common.mjs";
import { renderTable } from "./lib/table.mjs";
import { redisCeiling } from "./lib/ceiling.mjs";
import { createHs } from "./systems/hs.mjs";
import { createBull } from "./systems/bullmq.mjs";
import { createBee } from "./systems/bee.mjs";
import { createRq, findRq } from "./systems/rq.mjs";
import { renderCluster, runClusterBench } from "./cluster.mjs";

if (!existsSync(`${ROOT}/dist/queue/enqueue-many.js`)) {
  console.error("bench: dist/ is missing or stale; run `npm run build` first");
  process.exit(2);
}
const quick = process.env.BENCH_QUICK === "1";
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",")) : undefined;
const want = (s) => !only || only.has(s);
const size = (full, small) => (quick ? small : full);
const SIZES = {
  enqueueOne: size(3000, 500),
  enqueueBulk: size(20_000, 3000),
  // jobs per end-to-end drain, by task and concurrency: long enough (1-3 s) that JIT warm-up,
  // which both systems pay once per process, does not decide the figure
  throughput: {
    noop: { 1: size(10_000, 500), 10: size(20_000, 1000), 50: size(20_000, 1000) },
    sleep5: { 1: size(400, 100), 10: size(2000, 300), 50: size(6000, 1000) },
  },
  rqThroughput: { noop: size(1000, 200), sleep5: size(300, 100) },
  latency: size(200, 40),
  precisionSeconds: size(20, 6),
  // the scale scenario's sizes: the target (100 000) and the earlier figure (10 000)
  cronEntries: [100_000, 10_000],
  idleSeconds: size(10, 3),
  // after the daemon leads, before the idle figures: start-up garbage is handed back by then
  settleSeconds: size(60, 10),
  // 1 000 000 queued jobs: ~25 s to write for us, ~40 s for BullMQ. RQ enqueues ~12 000/s from
  // Python, so it gets 100 000 (its bytes per job have settled by then).
  memJobs: size(1_000_000, 10_000),
  rqMemJobs: size(100_000, 3000),
  // jobs per queue of the cluster section (5 queues, one Redis and then a 3-master cluster)
  clusterJobsPerQueue: size(2000, 300),
};

/** End-to-end drains per system and scenario (best kept). */
const ROUNDS = quick ? 1 : 2;
const best = (runs) => {
  const ok = runs.filter((x) => typeof x === "number");
  return ok.length ? Math.max(...ok) : undefined;
};

const redis = redisClient();
const hs = createHs(redis);
const bull = createBull(redis);
const bee = createBee(redis);
const rqFound = findRq();
const rq = rqFound.python ? createRq(rqFound.python) : undefined;
const require = createRequire(import.meta.url);
const started = Date.now();
const load = { start: loadAverage() };
const rows = [];
const notes = [];
if (!rq) notes.push(rqFound.note);
const row = (r) => rows.push(r);
const step = (msg) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);
const orNote = async (what, fn) => {
  try {
    return await fn();
  } catch (err) {
    notes.push(`${what} failed: ${err.message.split("\n")[0]}`);
    step(`${what} FAILED: ${err.message.split("\n")[0]}`);
    return undefined;
  }
};

// 1. enqueue throughput
if (want("enqueue")) {
  step("enqueue throughput");
  const one = { hs: await hs.enqueueOne(SIZES.enqueueOne), bull: await bull.enqueueOne(SIZES.enqueueOne), bee: await orNote("Bee-Queue enqueue", () => bee.enqueueOne(SIZES.enqueueOne)), rq: await orNote("RQ enqueue", () => rq?.enqueueOne(SIZES.enqueueOne)) };
  const bulk = { hs: await hs.enqueueBulk(SIZES.enqueueBulk), bull: await bull.enqueueBulk(SIZES.enqueueBulk), bee: await orNote("Bee-Queue bulk enqueue", () => bee.enqueueBulk(SIZES.enqueueBulk)), rq: await orNote("RQ bulk enqueue", () => rq?.enqueueBulk(SIZES.enqueueBulk)) };
  row({ section: "1. enqueue", label: `one by one (${SIZES.enqueueOne}, awaited each)`, unit: "jobs/s", better: "higher", ...one });
  row({ section: "1. enqueue", label: `bulk (${SIZES.enqueueBulk}, 1000 per call)`, unit: "jobs/s", better: "higher", ...bulk });
}

// 2. end-to-end throughput: N jobs queued, then the worker drains them
const throughput = {};
if (want("throughput")) {
  for (const task of ["noop", "sleep5"]) {
    for (const concurrency of [1, 10, 50]) {
      const n = SIZES.throughput[task][concurrency];
      step(`throughput ${task} concurrency ${concurrency} (${n} jobs)`);
      // Best of ROUNDS drains per system, the systems taking turns: another tenant's burst on a
      // shared machine lowers one drain, not the comparison.
      const hsRuns = [];
      const bullRuns = [];
      const beeRuns = [];
      for (let round = 0; round < ROUNDS; round++) {
        hsRuns.push(await orNote(`hooks-scheduler throughput ${task} c${concurrency}`, () => hs.throughput({ concurrency, task, n })));
        bullRuns.push(await orNote(`BullMQ throughput ${task} c${concurrency}`, () => bull.throughput({ concurrency, task, n })));
        beeRuns.push(await orNote(`Bee-Queue throughput ${task} c${concurrency}`, () => bee.throughput({ concurrency, task, n })));
      }
      const r = {
        hs: best(hsRuns),
        bull: best(bullRuns),
        bee: best(beeRuns),
        // RQ's SimpleWorker runs one job at a time: its figure sits in the concurrency-1 rows.
        rq: rq && concurrency === 1 ? await orNote(`RQ throughput ${task}`, () => rq.throughput({ task, n: SIZES.rqThroughput[task] })) : undefined,
      };
      throughput[`${task}/${concurrency}`] = r;
      const target = task === "noop" ? { op: ">=", value: 1, vs: "bull", text: ">= 1.0x BullMQ" } : undefined;
      row({ section: "2. end to end (queued first, then drained)", label: `${task === "noop" ? "no-op" : "5 ms async"} job, concurrency ${concurrency}`, unit: "jobs/s", better: "higher", ...r, target });
      if (task === "noop" && concurrency === 1 && rq) row({ section: "2. end to end (queued first, then drained)", label: "no-op, concurrency 1: vs RQ", unit: "jobs/s", better: "higher", hs: r.hs, rq: r.rq, target: { op: ">=", value: 5, vs: "rq", text: ">= 5x RQ" } });
    }
  }
}

// 3. enqueue -> start with an idle worker
if (want("latency")) {
  step(`latency enqueue -> start (${SIZES.latency} samples each)`);
  const r = {
    hs: await orNote("hooks-scheduler latency", () => hs.latency(SIZES.latency)),
    bull: await orNote("BullMQ latency", () => bull.latency(SIZES.latency)),
    bee: await orNote("Bee-Queue latency", () => bee.latency(SIZES.latency)),
    rq: rq ? await orNote("RQ latency", () => rq.latency(Math.min(SIZES.latency, 100))) : undefined,
  };
  row({ section: "3. enqueue -> start, idle worker", label: "p50", unit: "ms", better: "lower", hs: r.hs?.p50, bull: r.bull?.p50, bee: r.bee?.p50, rq: r.rq?.p50, target: { op: "<", value: 2, text: "p50 < 2 ms" } });
  row({ section: "3. enqueue -> start, idle worker", label: "p99", unit: "ms", better: "lower", hs: r.hs?.p99, bull: r.bull?.p99, bee: r.bee?.p99, rq: r.rq?.p99 });
}

// 4. schedule precision: both schedulers side by side, in the same 20 s
if (want("precision")) {
  const s = SIZES.precisionSeconds;
  step(`schedule precision: per-second schedule for ${s} s (hooks-scheduler and BullMQ at once)`);
  const [p, b] = await Promise.all([orNote("hooks-scheduler precision", () => hs.precision(s)), orNote("BullMQ precision", () => bull.precision(s))]);
  const sec = `4. per-second schedule, ${s} s`;
  if (p) notes.push(`precision: hooks-scheduler ${p.slots} slots, BullMQ ${b?.slots ?? "-"} jobs; RQ has no recurring schedule built in (rq-scheduler is a separate package): not measured`);
  row({ section: sec, label: "enqueue lateness p50 (enqueuedAt - slot)", unit: "ms", better: "lower", hs: p?.enqueue.p50 });
  row({ section: sec, label: "enqueue lateness p99", unit: "ms", better: "lower", hs: p?.enqueue.p99, target: { op: "<", value: 20, text: "p99 < 20 ms" } });
  row({ section: sec, label: "enqueue lateness max", unit: "ms", better: "lower", hs: p?.enqueue.max });
  row({ section: sec, label: "enqueue answered p99 (scheduler's ledger)", unit: "ms", better: "lower", hs: p?.enqueueAck.p99 });
  row({ section: sec, label: "start lateness p50 (started - slot)", unit: "ms", better: "lower", hs: p?.start.p50, bull: b?.start.p50 });
  row({ section: sec, label: "start lateness p99", unit: "ms", better: "lower", hs: p?.start.p99, bull: b?.start.p99 });
  row({ section: sec, label: "start lateness max", unit: "ms", better: "lower", hs: p?.start.max, bull: b?.start.max });
}

// 5. cost at scale: 100 000 and 10 000 cron entries; Redis memory per queued job
if (want("scale")) {
  for (const entries of SIZES.cronEntries) {
    step(`scale: ${entries} cron entries, daemon settles ${SIZES.settleSeconds} s, idle ${SIZES.idleSeconds} s`);
    const sc = await orNote(`hooks-scheduler scale (${entries})`, () => hs.scale(entries, SIZES.idleSeconds, SIZES.settleSeconds));
    const sec = `5. scale: ${entries.toLocaleString("en-US")} cron entries`;
    if (sc) {
      const rssTarget = entries >= 100_000 ? { op: "<", value: 200, text: "< 200 MB" } : { op: "<", value: 120, text: "< 120 MB" };
      row({ section: sec, label: `daemon idle RSS (scheduler + supervisor, ${SIZES.settleSeconds + SIZES.idleSeconds} s after it leads)`, unit: "MB", better: "lower", hs: sc.daemonRssMb, target: rssTarget });
      row({ section: sec, label: "daemon peak RSS during start-up", unit: "MB", better: "lower", hs: sc.daemonPeakRssMb });
      row({ section: sec, label: "worker child idle RSS", unit: "MB", better: "lower", hs: sc.workerRssMb });
      row({ section: sec, label: "daemon idle CPU", unit: "%", better: "lower", hs: sc.daemonCpuPct });
      row({ section: sec, label: `CPU per tick (${sc.tasks} tasks, nothing due)`, unit: "ms", better: "lower", hs: sc.tickCpuMs, ...(entries >= 100_000 ? { target: { op: "<", value: 20, text: "< 20 ms" } } : {}) });
      row({ section: sec, label: "wall time per tick", unit: "ms", better: "lower", hs: sc.tickWallMs });
      row({ section: sec, label: "CPU of a full read (every task's records; every 30 s)", unit: "ms", better: "lower", hs: sc.fullReadCpuMs });
    }
  }
}
if (want("memory")) {
  step(`memory per queued job (${SIZES.memJobs}; RQ ${SIZES.rqMemJobs})`);
  row({
    section: "5. scale: Redis memory per queued job",
    label: `INFO used_memory delta / jobs (${SIZES.memJobs.toLocaleString("en-US")} queued; RQ ${SIZES.rqMemJobs.toLocaleString("en-US")})`,
    unit: "bytes",
    better: "lower",
    hs: await orNote("hooks-scheduler memory", () => hs.memoryPerJob(SIZES.memJobs)),
    bull: await orNote("BullMQ memory", () => bull.memoryPerJob(SIZES.memJobs)),
    bee: await orNote("Bee-Queue memory", () => bee.memoryPerJob(SIZES.memJobs)),
    rq: rq ? await orNote("RQ memory", () => rq.memoryPerJob(SIZES.rqMemJobs)) : undefined,
  });
}

// 6. the ceiling: redis-benchmark on the same server
let ceiling;
if (want("ceiling")) {
  step("ceiling: redis-benchmark -q -n 100000 -c 50");
  ceiling = await orNote("redis-benchmark", () => redisCeiling(redis));
  if (ceiling) {
    const sec = "6. ceiling (redis-benchmark -n 100000 -c 50, same server)";
    for (const [cmd, rps] of Object.entries(ceiling)) row({ section: sec, label: cmd, unit: "ops/s", better: "higher", hs: rps });
    // Draining a queued job costs BullMQ one script call in a backlog (moveToFinished fetches the
    // next job); us one per job at concurrency 1 (complete.lua takes the next job), and one per
    // burst of completions above it (complete_many.lua): the share can pass 100%.
    const evalsha = ceiling["EVALSHA (trivial script)"];
    const bestOf = (who) => Math.max(...Object.values(throughput).map((r) => r[who] ?? 0));
    if (Object.keys(throughput).length) {
      row({ section: sec, label: "best end-to-end jobs/s as a share of trivial EVALSHA/s", unit: "%", better: "higher", hs: (bestOf("hs") / evalsha) * 100, bull: (bestOf("bull") / evalsha) * 100, bee: (bestOf("bee") / evalsha) * 100, rq: rq ? (bestOf("rq") / evalsha) * 100 : undefined });
    }
  }
}

// 7. the same drain over 5 queues on one Redis and on a 3-master cluster (servers of its own)
let cluster;
if (want("cluster")) {
  cluster = await orNote("cluster section", () => runClusterBench({ n: SIZES.clusterJobsPerQueue, step }));
}

load.end = loadAverage();
redis.disconnect();
const result = {
  at: new Date(started).toISOString(),
  seconds: Math.round((Date.now() - started) / 1000),
  loadAverage: load,
  quick,
  redisUrl: BENCH_URL.replace(/:[^:@/]*@/, ":***@"),
  versions: { node: process.version, bullmq: require("bullmq/package.json").version, beeQueue: require("bee-queue/package.json").version, rq: rqFound.version ?? null },
  sizes: SIZES,
  rows,
  ...(cluster ? { cluster } : {}),
  notes,
};
mkdirSync(`${ROOT}/bench/results`, { recursive: true });
writeFileSync(`${ROOT}/bench/results/latest.json`, JSON.stringify(result, null, 2) + "\n");

console.log(`\nhooks-scheduler bench, ${result.at}, ${result.seconds} s; Node ${process.version}, BullMQ ${result.versions.bullmq}, Bee-Queue ${result.versions.beeQueue}, RQ ${result.versions.rq ?? "-"}; ${result.redisUrl}`);
console.log(`load average (1/5/15 min): ${load.start.join(" ")} at start, ${load.end.join(" ")} at end (2 cores shared with other work: compare ratios within a run)\n`);
if (rows.length) console.log(renderTable(rows));
if (cluster) console.log(`\n${renderCluster(cluster)}`);
if (notes.length) console.log("\nnotes:\n" + notes.map((n) => `- ${n}`).join("\n"));
console.log(`\nwritten: bench/results/latest.json`);
