// Cost of the observability layer (issue 18) on the hot path, in one run: no-op jobs drained
// at concurrency 10 by the real supervisor and child process, with SCHEDULER_METRICS=off (no
// per-job tally, no history writes in the job scripts, no tracing API calls) and on (all three;
// the tracing API with no SDK registered, as a user who has not opted in runs it). The two
// settings take turns, ROUNDS times each, so a burst from another tenant of a shared machine
// lowers one drain, not the comparison; the best and the median of each are printed.
// Run after `npm run build`:
//   BENCH_REDIS_URL=redis://127.0.0.1:6379/4 node bench/obs-overhead.mjs
// Options (env): BENCH_JOBS (default 5000), BENCH_ROUNDS (default 3), BENCH_CONCURRENCY (default 10).
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { createKeys } from "../dist/redis/keys.js";
import { DEFAULT_RETENTION } from "../dist/config/defaults.js";
import { enqueueManyWith } from "../dist/queue/enqueue-many.js";
import { loadHooks } from "../dist/hooks/load.js";
import { resolveConfig } from "../dist/settings/resolve.js";
import { startSupervisor } from "../dist/worker/supervisor/supervisor.js";
import { silentLogger } from "../dist/worker/log.js";
import { cpuMsOf, dropKeys } from "./lib/common.mjs";

const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/4";
const N = Number(process.env.BENCH_JOBS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 10);
const hooksFile = fileURLToPath(new URL("../test/worker/fixtures/app/hooks.ts", import.meta.url));

const redis = new Redis(url);
const hooks = await loadHooks({ hooksPath: hooksFile });
const base = resolveConfig({ hooks, env: {} });

async function drain(metrics, round) {
  const prefix = `bench-obs-${process.pid}-${metrics}-${round}`;
  const keys = createKeys(prefix);
  const env = { redis, keys, clock: () => Date.now(), queues: base.queues, retention: DEFAULT_RETENTION };
  for (let i = 0; i < N; i += 1000) {
    await enqueueManyWith(env, Array.from({ length: Math.min(1000, N - i) }, () => ({ method: "app.tasks.noop", options: { queue: "default" } })));
  }
  // the children read the switch from the environment they inherit
  process.env.SCHEDULER_METRICS = metrics;
  const sup = await startSupervisor({
    config: { ...base, prefix },
    redisUrl: url,
    groups: [{ name: "default", queues: ["default"], processes: 1, concurrency, strategy: "priority" }],
    burst: true,
    logger: silentLogger,
  });
  // the child's CPU time (user + system) is what the layer adds per job, and unlike jobs/s it
  // does not move when another tenant takes the cores: read it until the child exits
  let childCpuMs = 0;
  const poll = setInterval(() => {
    const pid = sup.groups[0]?.slots[0]?.child?.pid;
    try {
      if (pid) childCpuMs = Math.max(childCpuMs, cpuMsOf(pid));
    } catch {
      /* it just exited: the last reading stands */
    }
  }, 50);
  const code = await Promise.race([sup.done, new Promise((r) => setTimeout(() => r("timeout"), 180_000))]);
  clearInterval(poll);
  if (code === "timeout") sup.force("bench timeout");
  // jobs/s from the jobs' own records: first start to last end (child start-up not counted)
  const ids = await redis.zrange(keys.finished("default"), 0, -1);
  const pipe = redis.pipeline();
  for (const id of ids) pipe.hmget(keys.job(id), "startedAt", "endedAt");
  const times = ((await pipe.exec()) ?? []).map(([, v]) => v.map(Number));
  const first = Math.min(...times.map((t) => t[0]));
  const last = Math.max(...times.map((t) => t[1]));
  const history = (await redis.keys(`${keys.root}:history:*`)).length;
  await dropKeys(redis, `${keys.root}:*`);
  return { metrics, finished: ids.length, ms: last - first, rate: (ids.length / (last - first)) * 1000, history, cpuUsPerJob: (childCpuMs * 1000) / ids.length };
}

const rows = { off: [], on: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const m of r % 2 === 0 ? ["off", "on"] : ["on", "off"]) rows[m].push(await drain(m, r));
}
redis.disconnect();
// a supervisor's own connection may linger past its done: the figures are in, leave
setTimeout(() => process.exit(0), 100).unref();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`observability overhead: ${N} no-op jobs per drain, 1 child at concurrency ${concurrency}, ${ROUNDS} drains each, ${url}`);
console.log(`load average at the end: ${(await import("node:os")).loadavg().map((x) => x.toFixed(1)).join(" ")}`);
console.log("metrics | drains (jobs/s)                | best   | median | child CPU µs/job (median) | history keys");
for (const m of ["off", "on"]) {
  const rates = rows[m].map((x) => x.rate);
  const cpu = rows[m].map((x) => x.cpuUsPerJob);
  console.log(`${m.padEnd(7)} | ${rates.map((x) => x.toFixed(0)).join(", ").padEnd(30)} | ${Math.max(...rates).toFixed(0).padStart(6)} | ${median(rates).toFixed(0).padStart(6)} | ${cpu.map((x) => x.toFixed(0)).join(", ")} (${median(cpu).toFixed(0)}) | ${rows[m].map((x) => x.history).join(",")}`);
}
const cpuMed = (m) => median(rows[m].map((x) => x.cpuUsPerJob));
console.log(`child CPU per job, on vs off: ${(((cpuMed("on") - cpuMed("off")) / cpuMed("off")) * 100).toFixed(1)} %`);
const best = (m) => Math.max(...rows[m].map((x) => x.rate));
const med = (m) => median(rows[m].map((x) => x.rate));
console.log(`on vs off: best ${(((best("on") - best("off")) / best("off")) * 100).toFixed(1)} %, median ${(((med("on") - med("off")) / med("off")) * 100).toFixed(1)} %`);
