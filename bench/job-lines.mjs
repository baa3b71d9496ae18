// The cost of the daemon's line per job (src/worker/supervisor/job-lines.ts) at concurrency 10: the real
// supervisor and child process drain N queued no-op jobs with `jobLines: "none"`, `"failures"`
// and `"all"`, taking turns (a burst from another tenant of a shared machine lowers
// one drain, not one mode). The logger is the daemon's own (createLogger): JSON lines to a
// file descriptor written as stdout is (batched per event-loop turn) and to a rotated log file,
// as `scheduler start` writes them off a terminal.
// jobs/s = finished jobs / (last endedAt - first startedAt), read from the jobs' own records, so
// child start-up and exit are not counted. Run after `npm run build`:
//   node bench/job-lines.mjs   (BENCH_REDIS_URL, default redis://127.0.0.1:6379/10)
// Options (env): BENCH_JOBS (default 20000), BENCH_ROUNDS (default 5), BENCH_CONCURRENCY (10).
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

const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/10";
const N = Number(process.env.BENCH_JOBS ?? 20000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const C = Number(process.env.BENCH_CONCURRENCY ?? 10);
const hooksFile = fileURLToPath(new URL("../test/worker/fixtures/app/hooks.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "bench-job-lines-"));

const redis = new Redis(url);
const hooks = await loadHooks({ hooksPath: hooksFile });
const base = resolveConfig({ hooks, env: {} });

async function drain(mode, round) {
  const prefix = `bench-lines-${process.pid}-${mode}-${round}`;
  const keys = createKeys(prefix);
  const env = { redis, keys, clock: () => Date.now(), queues: base.queues, retention: DEFAULT_RETENTION };
  for (let i = 0; i < N; i += 1000) {
    await enqueueManyWith(env, Array.from({ length: Math.min(1000, N - i) }, () => ({ method: "app.tasks.noop", options: { queue: "default" } })));
  }
  const consoleOut = openSync(join(dir, `console-${mode}-${round}.log`), "w");
  const logger = createLogger({ name: "worker", level: "info", json: true, console: consoleOut, file: join(dir, `worker-${mode}-${round}.log`) });
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
  const supervisorCpu = (own.user + own.system) / 1000;
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
  return { mode, finished: ids.length, rate: (ids.length / Math.max(1, last - first)) * 1000, code, cpuUsPerJob: ((supervisorCpu + childCpu) * 1000) / Math.max(1, ids.length), supUsPerJob: (supervisorCpu * 1000) / Math.max(1, ids.length) };
}

const MODES = ["none", "failures", "all"];
const rates = Object.fromEntries(MODES.map((m) => [m, []]));
const cpu = Object.fromEntries(MODES.map((m) => [m, []]));
const sup = Object.fromEntries(MODES.map((m) => [m, []]));
// CPU of "all" and "failures" over the "none" drain of the same round: the modes of one round run
// back to back, so a ratio within a round is the least exposed to what other tenants run.
const ratios = { failures: [], all: [] };
const loadStart = loadAverage();
for (let r = 0; r < ROUNDS; r++) {
  // Rotated each round so no mode always runs first (a warm Redis or page cache favours later runs).
  const order = MODES.map((_, i) => MODES[(i + r) % MODES.length]);
  const round = {};
  for (const mode of order) {
    const res = await drain(mode, r);
    round[mode] = res;
    rates[mode].push(res.rate);
    cpu[mode].push(res.cpuUsPerJob);
    sup[mode].push(res.supUsPerJob);
    console.log(`round ${r + 1} ${mode.padEnd(8)}: ${res.finished} finished, ${res.rate.toFixed(0)} jobs/s, CPU ${res.cpuUsPerJob.toFixed(1)} µs/job (supervisor ${res.supUsPerJob.toFixed(1)})${res.code === 0 ? "" : ` (exit ${res.code})`}`);
  }
  for (const mode of ["failures", "all"]) ratios[mode].push(round[mode].cpuUsPerJob / round.none.cpuUsPerJob);
}
redis.disconnect();
rmSync(dir, { recursive: true, force: true });
const med = (xs) => percentile(xs, 50);
const pct = (ratio) => `${ratio >= 1 ? "+" : ""}${((ratio - 1) * 100).toFixed(1)} %`;
console.log(`load average at start ${loadStart}, at end ${loadAverage()}`);
console.log(`job lines at concurrency ${C}, ${N} no-op jobs x ${ROUNDS} rounds per mode, ${url}`);
for (const mode of MODES) {
  console.log(`${mode.padEnd(8)}: jobs/s median ${med(rates[mode]).toFixed(0)}; CPU/job supervisor+child median ${med(cpu[mode]).toFixed(1)} µs (least ${Math.min(...cpu[mode]).toFixed(1)}), supervisor median ${med(sup[mode]).toFixed(1)} µs`);
}
for (const mode of ["failures", "all"]) {
  console.log(`CPU per job, ${mode} / none: median ratio ${med(ratios[mode]).toFixed(3)} (${pct(med(ratios[mode]))}); per round ${ratios[mode].map((x) => x.toFixed(3)).join(" ")}`);
}
