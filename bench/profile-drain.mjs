// One end-to-end drain, ours and BullMQ's, at one size: N no-op jobs queued first, then the
// worker drains them; prints jobs/s and Redis CPU per job for each. Longer drains than
// `npm run bench` uses, to separate warm-up from the steady state, and to profile.
// Run after `npm run build`:
//   node bench/profile-drain.mjs [N=20000] [concurrency=1] [task=noop]
//   BENCH_DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node bench/profile-drain.mjs
import { createHs } from "./systems/hs.mjs";
import { createBull } from "./systems/bullmq.mjs";
import { redisClient, cpuMsOf } from "./lib/common.mjs";

const n = Number(process.argv[2] ?? 20000);
const concurrency = Number(process.argv[3] ?? 1);
const task = process.argv[4] ?? "noop";
const redis = redisClient();
const serverPid = Number(/process_id:(\d+)/.exec(await redis.info("server"))?.[1]);

const systems = { hs: createHs(redis), bull: createBull(redis) };
for (const system of (process.env.SYSTEMS ?? "hs,bull").split(",").map((s) => systems[s])) {
  let before = 0;
  // Redis CPU and (DETAIL=1) the commands it ran, from the drain alone (the fill excluded).
  const onFilled = async () => {
    if (process.env.DETAIL) await redis.config("RESETSTAT");
    before = cpuMsOf(serverPid);
  };
  const rate = await system.throughput({ concurrency, task, n, onFilled });
  const redisMs = cpuMsOf(serverPid) - before;
  if (process.env.DETAIL) {
    const stats = (await redis.info("commandstats")).split("\n").filter((l) => l.startsWith("cmdstat_"));
    for (const l of stats) {
      const m = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(l);
      if (m && Number(m[2]) >= n / 2) console.log(`  ${m[1].padEnd(18)} ${(Number(m[2]) / n).toFixed(2).padStart(6)} calls/job ${(Number(m[3]) / n).toFixed(1).padStart(7)} us/job`);
    }
  }
  console.log(JSON.stringify({ system: system.name, n, concurrency, task, jobsPerSecond: Math.round(rate), redisCpuUsPerJob: Math.round((redisMs * 1000) / n) }));
}
redis.disconnect();
