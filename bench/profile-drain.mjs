// One end-to-end drain, ours and BullMQ's, at one size: N no-op jobs queued first, then the
// worker drains them; prints jobs/s and Redis CPU per job for each. Longer drains than
// `npm run bench` uses, to separate warm-up from the steady state, and to profile.
// Run after `npm run build`:
//   node bench/profile-drain.mjs [N=20000] [concurrency=1] [task=noop]
//   BENCH_DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node bench/profile-drain.mjs
import { createHs } from "./systems/hs.mjs";
import { createBull } from "./systems/bullmq.mjs";
import { readFileSync } from "node:fs";
import { redisClient, cpuMsOf, childrenOf } from "./lib/common.mjs";

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
    for (const pid of descendants(process.pid)) {
      try {
        cpu[pid] = cpuMsOf(pid);
      } catch {}
    }
    cpu.redis = cpuMsOf(serverPid);
    cpu.bench = cpuMsOf(process.pid);
    const roles = Object.fromEntries(Object.keys(cpu).filter((p) => /^\d+$/.test(p)).map((p) => [p, roleOf(Number(p))]));
    samples.push({ t: Date.now(), cpu, roles });
    if (samples.length > 20_000) samples.shift();
  }, 20);
}
function cpuPerJob({ first, last }) {
  const a = [...samples].reverse().find((s) => s.t <= first) ?? samples[0];
  const b = samples.find((s) => s.t >= last) ?? samples.at(-1);
  const perRole = {};
  for (const [pid, ms] of Object.entries(b.cpu)) {
    const role = b.roles[pid] ?? pid;
    perRole[role] = (perRole[role] ?? 0) + ms - (a.cpu[pid] ?? ms);
  }
  return Object.fromEntries(Object.entries(perRole).map(([r, ms]) => [r, Math.round((ms * 1000) / n)]));
}

const n = Number(process.argv[2] ?? 20000);
const concurrency = Number(process.argv[3] ?? 1);
const task = process.argv[4] ?? "noop";
const redis = redisClient();
const serverPid = Number(/process_id:(\d+)/.exec(await redis.info("server"))?.[1]);
startSampler();

const systems = { hs: createHs(redis), bull: createBull(redis) };
for (const system of (process.env.SYSTEMS ?? "hs,bull").split(",").map((s) => systems[s])) {
  let before = 0;
  // Redis CPU and (DETAIL=1) the commands it ran, from the drain alone (the fill excluded).
  const onFilled = async () => {
    if (process.env.DETAIL) await redis.config("RESETSTAT");
    before = cpuMsOf(serverPid);
  };
  let window;
  const rate = await system.throughput({ concurrency, task, n, onFilled, onDrained: (w) => (window = w) });
  const redisMs = cpuMsOf(serverPid) - before;
  if (process.env.DETAIL) {
    const stats = (await redis.info("commandstats")).split("\n").filter((l) => l.startsWith("cmdstat_"));
    for (const l of stats) {
      const m = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(l);
      if (m && (Number(m[2]) >= n / 2 || m[1] === "evalsha")) console.log(`  ${m[1].padEnd(18)} ${(Number(m[2]) / n).toFixed(2).padStart(6)} calls/job ${(Number(m[3]) / n).toFixed(1).padStart(7)} us/job`);
    }
  }
  console.log(JSON.stringify({ system: system.name, n, concurrency, task, jobsPerSecond: Math.round(rate), redisCpuUsPerJob: Math.round((redisMs * 1000) / n), cpuUsPerJobInDrain: cpuPerJob(window) }));
}
clearInterval(sampler);
redis.disconnect();
