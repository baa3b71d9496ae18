// The cost of the daemon's line per job (src/worker/supervisor/job-lines.ts) at concurrency 10: the real
// supervisor and child process drain N queued no-op jobs with `jobLines: "failures"` (no line
// per finished job) and `"all"` (the default), taking turns (a burst from another tenant of a
// shared machine lowers one drain, not one mode; `BENCH_MODES=none,failures,all` adds "none").
// The logger is the daemon's own (createLogger): JSON lines to a file descriptor written as
// stdout is and to a rotated log file, as `scheduler start` writes them off a terminal.
// Per drain: CPU per job of the supervisor (this process), the child (/proc) and Redis (INFO cpu,
// used_cpu_sys + used_cpu_user: the whole server, so other clients of a shared one count too).
// The lines' cost, per round: supervisor(all) - supervisor(failures), over the whole CPU of a
// job with lines on (supervisor + child + Redis of the "all" drain): issue 14's "< 3 %" figure.
// jobs/s = finished jobs / (last endedAt - first startedAt), read from the jobs' own records, so
// child start-up and exit are not counted. Run after `npm run build`:
//   node bench/job-lines.mjs   (BENCH_REDIS_URL, default redis://127.0.0.1:6379/10)
// Options (env): BENCH_JOBS (default 20000), BENCH_ROUNDS (default 5), BENCH_CONCURRENCY (10),
// BENCH_MODES (default failures,all), BENCH_NO_FILE=1 (the console only, no rotated log file),
// BENCH_PROFILE_DIR (a .cpuprofile of each drain alone, <mode>-<round>, through node:inspector;
// read them with bench/lib/cpuprofile-self.mjs). Each drain also prints the supervisor's CPU on
// its main thread and on its other threads (libuv's pool, GC helpers), from /proc/self/task.
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { createKeys } from "../dist/redis/keys.js";
import { DEFAULT_RETENTION } from "../dist/config/defaults.js";
import { enqueueManyWith } from "../dist/queue/enqueue-many.js";
import { loadHooks } from "../dist/hooks/load.js";
import { resolveConfig } from "../dist/settings/resolve.js";
import { startSupervisor } from "../dist/worker/supervisor/supervisor.js";
import { closeLogger, createLogger } from "../dist/log/logger.js";
import { cpuMsOf, dropKeys, loadAverage, percentile } from "./lib/common.mjs";
import { Session } from "node:inspector/promises";
import { readdirSync, writeFileSync } from "node:fs";

const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/10";
const N = Number(process.env.BENCH_JOBS ?? 20000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const C = Number(process.env.BENCH_CONCURRENCY ?? 10);
const hooksFile = fileURLToPath(new URL("../test/worker/fixtures/app/hooks.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "bench-job-lines-"));

const redis = new Redis(url);
const profileDir = process.env.BENCH_PROFILE_DIR;
const session = profileDir ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 50 });
}

/** This process' CPU so far (ms), its main thread and the others apart (10 ms ticks). */
function threadsCpuMs() {
  const out = { main: 0, other: 0 };
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      out[tid === String(process.pid) ? "main" : "other"] += cpuMsOf(`self/task/${tid}`);
    } catch {
      // a thread that ended
    }
  }
  return out;
}
const hooks = await loadHooks({ hooksPath: hooksFile });
const base = resolveConfig({ hooks, env: {} });

/** Redis' CPU so far (ms), from INFO cpu. */
async function redisCpuMs() {
  const info = await redis.info("cpu");
  const field = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? 0);
  return (field("used_cpu_sys") + field("used_cpu_user")) * 1000;
}

async function drain(mode, round) {
  const prefix = `bench-lines-${process.pid}-${mode}-${round}`;
  const keys = createKeys(prefix);
  const env = { redis, keys, clock: () => Date.now(), queues: base.queues, retention: DEFAULT_RETENTION };
  for (let i = 0; i < N; i += 1000) {
    await enqueueManyWith(env, Array.from({ length: Math.min(1000, N - i) }, () => ({ method: "app.tasks.noop", options: { queue: "default" } })));
  }
  const consoleOut = openSync(join(dir, `console-${mode}-${round}.log`), "w");
  // BENCH_NO_FILE=1: the console only, no rotated log file (to see what the file costs)
  const file = process.env.BENCH_NO_FILE === "1" ? {} : { file: join(dir, `worker-${mode}-${round}.log`) };
  const logger = createLogger({ name: "worker", level: "info", json: true, console: consoleOut, ...file });
  const sup = await startSupervisor({
    config: { ...base, prefix },
    redisUrl: url,
    groups: [{ name: "default", queues: ["default"], processes: 1, concurrency: C, strategy: "priority" }],
    burst: true,
    logger,
    jobLines: mode,
  });
  // CPU of the supervisor (this process) and its child over the drain: unlike jobs/s, it does
  // not move with what other tenants of the machine run.
  // Counted from the child's "ready" (its start-up, loading modules, is the same in both modes).
  const child = sup.liveSlots()[0]?.child;
  const readCpu = () => {
    try {
      return child ? cpuMsOf(child.pid) : undefined;
    } catch {
      return undefined; // exited
    }
  };
  while (child && !child.ready && child.alive) await new Promise((r) => setTimeout(r, 2));
  const redisCpu0 = await redisCpuMs();
  if (session) await session.post("Profiler.start");
  const threads0 = threadsCpuMs();
  const cpu0 = process.cpuUsage();
  const childCpu0 = readCpu() ?? 0;
  let childCpu = 0;
  const sampler = setInterval(() => {
    const ms = readCpu();
    if (ms !== undefined) childCpu = ms - childCpu0;
  }, 20);
  const code = await Promise.race([sup.done, new Promise((r) => setTimeout(() => r("timeout"), 180_000))]);
  clearInterval(sampler);
  const own = process.cpuUsage(cpu0);
  const threads1 = threadsCpuMs();
  if (session) writeFileSync(join(profileDir, `${mode}-${round}.cpuprofile`), JSON.stringify((await session.post("Profiler.stop")).profile));
  const supervisorCpu = (own.user + own.system) / 1000;
  const redisCpu = (await redisCpuMs()) - redisCpu0;
  if (code === "timeout") sup.force("bench timeout");
  await closeLogger(logger);
  await new Promise((r) => setImmediate(r)); // the console's last batch
  closeSync(consoleOut);
  const ids = await redis.zrange(keys.finished("default"), 0, -1);
  let first = Infinity;
  let last = 0;
  for (let i = 0; i < ids.length; i += 1000) {
    const pipe = redis.pipeline();
    for (const id of ids.slice(i, i + 1000)) pipe.hmget(keys.job(id), "startedAt", "endedAt");
    for (const [, row] of await pipe.exec()) {
      first = Math.min(first, Number(row[0]));
      last = Math.max(last, Number(row[1]));
    }
  }
  await dropKeys(redis, `${keys.root}:*`);
  const perJob = (ms) => (ms * 1000) / Math.max(1, ids.length);
  return { mode, mainUsPerJob: perJob(threads1.main - threads0.main), otherUsPerJob: perJob(threads1.other - threads0.other), finished: ids.length, rate: (ids.length / Math.max(1, last - first)) * 1000, code, cpuUsPerJob: ((supervisorCpu + childCpu) * 1000) / Math.max(1, ids.length), supUsPerJob: (supervisorCpu * 1000) / Math.max(1, ids.length), childUsPerJob: (childCpu * 1000) / Math.max(1, ids.length), redisUsPerJob: (redisCpu * 1000) / Math.max(1, ids.length) };
}

const MODES = (process.env.BENCH_MODES ?? "failures,all").split(",");
const rows = Object.fromEntries(MODES.map((m) => [m, []]));
// The lines' cost per round, from drains run back to back (the least exposed to other tenants).
const costs = [];
const shares = [];
// the same without Redis: an upper bound, for a shared server whose INFO counts other clients too
const oursShares = [];
const loadStart = loadAverage();
for (let r = 0; r < ROUNDS; r++) {
  // Rotated each round so no mode always runs first (a warm Redis or page cache favours later runs).
  const order = MODES.map((_, i) => MODES[(i + r) % MODES.length]);
  const round = {};
  for (const mode of order) {
    const res = await drain(mode, r);
    round[mode] = res;
    rows[mode].push(res);
    console.log(`round ${r + 1} ${mode.padEnd(8)}: ${res.finished} finished, ${res.rate.toFixed(0)} jobs/s, CPU µs/job supervisor ${res.supUsPerJob.toFixed(2)}, child ${res.childUsPerJob.toFixed(1)}, Redis ${res.redisUsPerJob.toFixed(1)} (supervisor threads: main ${res.mainUsPerJob.toFixed(2)}, other ${res.otherUsPerJob.toFixed(2)})${res.code === 0 ? "" : ` (exit ${res.code})`}`);
  }
  if (round.all && round.failures) {
    const cost = round.all.supUsPerJob - round.failures.supUsPerJob;
    const ours = round.all.supUsPerJob + round.all.childUsPerJob;
    const whole = ours + round.all.redisUsPerJob;
    costs.push(cost);
    shares.push(cost / whole);
    oursShares.push(cost / ours);
    console.log(`round ${r + 1} lines' cost: ${cost.toFixed(2)} µs/job of ${whole.toFixed(1)} µs/job (${((cost / whole) * 100).toFixed(2)} %; of supervisor + child ${((cost / ours) * 100).toFixed(2)} %)`);
  }
}
redis.disconnect();
rmSync(dir, { recursive: true, force: true });
const med = (xs) => percentile(xs, 50);
console.log(`load average at start ${loadStart}, at end ${loadAverage()}`);
console.log(`job lines at concurrency ${C}, ${N} no-op jobs x ${ROUNDS} rounds per mode, ${url}`);
for (const mode of MODES) {
  const of = (k) => rows[mode].map((x) => x[k]);
  console.log(`${mode.padEnd(8)}: jobs/s median ${med(of("rate")).toFixed(0)}; CPU µs/job median: supervisor ${med(of("supUsPerJob")).toFixed(2)} (least ${Math.min(...of("supUsPerJob")).toFixed(2)}), child ${med(of("childUsPerJob")).toFixed(1)}, Redis ${med(of("redisUsPerJob")).toFixed(1)}`);
}
if (costs.length > 0) {
  console.log(`job lines' cost (supervisor all - failures): median ${med(costs).toFixed(2)} µs/job; per round ${costs.map((x) => x.toFixed(2)).join(" ")}`);
  console.log(`share of a job's whole CPU (supervisor + child + Redis): median ${(med(shares) * 100).toFixed(2)} % (target < 3 %); per round ${shares.map((x) => (x * 100).toFixed(2)).join(" ")}`);
  console.log(`share of supervisor + child only (Redis left out: an upper bound): median ${(med(oursShares) * 100).toFixed(2)} %; per round ${oursShares.map((x) => (x * 100).toFixed(2)).join(" ")}`);
}

// the figures are out; handles a drain may leave (a socket closing, a timer) must not hold the run
process.exit(0);
