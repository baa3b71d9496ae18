// One end-to-end drain, ours and BullMQ's, at one size: N no-op jobs queued first, then the
// worker drains them; prints jobs/s and Redis CPU per job for each. Longer drains than
// `npm run bench` uses, to separate warm-up from the steady state, and to profile.
// Run after `npm run build`:
//   node bench/profile-drain.mjs [N=20000] [concurrency=1] [task=noop]
//   BENCH_DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node bench/profile-drain.mjs
//   SYSTEMS=hs (only ours), SCHEDULER_JOB_LINES=none|failures|all (passed to the daemon),
//   DETAIL=1 (the commands Redis ran per job, from INFO commandstats before/after the drain:
//   no RESETSTAT, which would clear the figures of anyone else on a shared server; on a shared
//   server other clients' commands are counted too, so point BENCH_REDIS_URL at a private one).
// Per process, CPU per job over the drain window (first start .. last end) from /proc; Redis
// also from INFO cpu (used_cpu_sys + used_cpu_user) over fill-end .. drain-end.
import { createHs } from "./systems/hs.mjs";
import { createBull } from "./systems/bullmq.mjs";
import { readFileSync } from "node:fs";
import { redisClient, cpuMsOf, cpuSplitOf, childrenOf, loadAverage } from "./lib/common.mjs";

// CPU of every process this bench spawned (the daemon, its worker children, BullMQ's worker),
// sampled every 20 ms, so the drain window alone (first start .. last end) can be read from it.
function descendants(pid) {
  const out = [];
  for (const c of childrenOf(pid)) out.push(c, ...descendants(c));
  return out;
}
function roleOf(pid) {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
    if (cmd.includes("worker/child/main.js")) return "worker child";
    if (cmd.includes("scheduler.js")) return "daemon (supervisor)";
    if (cmd.includes("bullmq-worker")) return "BullMQ worker";
    return cmd.slice(0, 40);
  } catch {
    return "?";
  }
}
const samples = [];
let sampler;
function startSampler() {
  sampler = setInterval(() => {
    const cpu = {};
    const sys = {};
    for (const pid of descendants(process.pid)) {
      try {
        cpu[pid] = cpuMsOf(pid);
        sys[pid] = cpuSplitOf(pid)[1];
      } catch {}
    }
    cpu.redis = cpuMsOf(serverPid);
    cpu.bench = cpuMsOf(process.pid);
    const roles = Object.fromEntries(Object.keys(cpu).filter((p) => /^\d+$/.test(p)).map((p) => [p, roleOf(Number(p))]));
    sys.redis = cpuSplitOf(serverPid)[1];
    samples.push({ t: Date.now(), cpu, sys, roles });
    if (samples.length > 20_000) samples.shift();
  }, 20);
}
function cpuPerJob({ first, last }) {
  const a = [...samples].reverse().find((s) => s.t <= first) ?? samples[0];
  const b = samples.find((s) => s.t >= last) ?? samples.at(-1);
  const perRole = {};
  const sysRole = {};
  for (const [pid, ms] of Object.entries(b.cpu)) {
    const role = b.roles[pid] ?? pid;
    perRole[role] = (perRole[role] ?? 0) + ms - (a.cpu[pid] ?? ms);
    if (b.sys[pid] !== undefined) sysRole[role] = (sysRole[role] ?? 0) + b.sys[pid] - (a.sys[pid] ?? b.sys[pid]);
  }
  const us = (ms) => Math.round((ms * 1000) / n);
  // total µs per job, and of it the kernel's ("sys")
  return Object.fromEntries(Object.entries(perRole).map(([r, ms]) => [r, sysRole[r] === undefined ? us(ms) : `${us(ms)} (sys ${us(sysRole[r])})`]));
}

const n = Number(process.argv[2] ?? 20000);
const concurrency = Number(process.argv[3] ?? 1);
const task = process.argv[4] ?? "noop";
const redis = redisClient();
const serverPid = Number(/process_id:(\d+)/.exec(await redis.info("server"))?.[1]);
startSampler();

async function commandStats() {
  const out = {};
  for (const l of (await redis.info("commandstats")).split("\n")) {
    const m = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(l);
    if (m) out[m[1]] = { calls: Number(m[2]), usec: Number(m[3]) };
  }
  return out;
}
async function redisInfoCpuMs() {
  const info = await redis.info("cpu");
  const f = (k) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
  return (f("used_cpu_sys") + f("used_cpu_user")) * 1000;
}

const systems = { hs: createHs(redis), bull: createBull(redis) };
console.log(`load average at start ${loadAverage().join(" ")}; ${process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/10"}; job lines ${process.env.SCHEDULER_JOB_LINES ?? "(default)"}`);
for (const system of (process.env.SYSTEMS ?? "hs,bull").split(",").map((s) => systems[s])) {
  let before = 0;
  let infoBefore = 0;
  let stats0 = {};
  // Redis CPU and (DETAIL=1) the commands it ran, from the drain alone (the fill excluded).
  const onFilled = async () => {
    if (process.env.DETAIL) stats0 = await commandStats();
    before = cpuMsOf(serverPid);
    infoBefore = await redisInfoCpuMs();
  };
  let window;
  const rate = await system.throughput({ concurrency, task, n, onFilled, onDrained: (w) => (window = w) });
  const redisMs = cpuMsOf(serverPid) - before;
  const redisInfoMs = (await redisInfoCpuMs()) - infoBefore;
  let commandsPerJob;
  if (process.env.DETAIL) {
    const stats = await commandStats();
    let total = 0;
    for (const [cmd, { calls, usec }] of Object.entries(stats)) {
      const dc = calls - (stats0[cmd]?.calls ?? 0);
      const du = usec - (stats0[cmd]?.usec ?? 0);
      if (cmd !== "info" && cmd !== "zcard") total += dc;
      if (dc >= n / 2 || cmd === "evalsha") console.log(`  ${cmd.padEnd(18)} ${(dc / n).toFixed(2).padStart(6)} calls/job ${(du / n).toFixed(1).padStart(7)} us/job`);
    }
    commandsPerJob = Number((total / n).toFixed(2));
  }
  console.log(JSON.stringify({ system: system.name, n, concurrency, task, jobsPerSecond: Math.round(rate), redisCpuUsPerJob: Math.round((redisMs * 1000) / n), redisInfoCpuUsPerJob: Math.round((redisInfoMs * 1000) / n), commandsPerJob, cpuUsPerJobInDrain: cpuPerJob(window) }));
}
console.log(`load average at end ${loadAverage().join(" ")}`);
clearInterval(sampler);
redis.disconnect();
