// Redis memory the per-minute metrics history costs per queue per day (docs/metrics.md): the
// real job scripts, a manual clock walking 1440 minutes, each minute with BENCH_PER_MINUTE
// completions of varied run/wait times and one failure (so a minute's hash holds the counts and
// several run and wait buckets: the busy case; an idle minute writes no hash at all). Reports
// MEMORY USAGE summed over the day's hashes, per queue and per scheduled task.
// Run after `npm run build`:  BENCH_REDIS_URL=redis://127.0.0.1:6379/4 node bench/history-memory.mjs
import { Redis } from "ioredis";
import { createKeys } from "../dist/redis/keys.js";
import { DEFAULT_RETENTION } from "../dist/config/defaults.js";
import { enqueueWith } from "../dist/queue/enqueue.js";
import { enqueueScheduled } from "../dist/queue/enqueue-scheduled.js";
import { completeJob, dequeue, failJob } from "../dist/queue/lifecycle.js";
import { dropKeys } from "./lib/common.mjs";

const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/4";
const PER_MINUTE = Number(process.env.BENCH_PER_MINUTE ?? 4);
const redis = new Redis(url);
const keys = createKeys(`bench-history-${process.pid}`);
let now = Date.parse("2026-01-05T00:00:00Z");
const env = { redis, keys, clock: () => now, queues: { q: { timeout: 3600, workers: 1, concurrency: 1 } }, retention: DEFAULT_RETENTION };
const durations = [3, 40, 700, 4000, 65000];

for (let m = 0; m < 1440; m++) {
  now = Date.parse("2026-01-05T00:00:00Z") + m * 60_000;
  for (let i = 0; i <= PER_MINUTE; i++) {
    const scheduled = i === 0;
    if (scheduled) await enqueueScheduled(env, { task: "cron:*:app.tasks.t", slot: now, method: "app.tasks.t", queue: "q", kwargs: {}, catchup: false });
    else await enqueueWith(env, "app.tasks.t", { queue: "q" });
    now += durations[(m + i) % durations.length] % 1000;
    const job = await dequeue(env, { queues: ["q"], worker: "w", leaseMs: 3_600_000 });
    now += Math.min(50_000, durations[(m + 2 * i) % durations.length]) % 9000;
    if (i === PER_MINUTE) await failJob(env, { job, worker: "w", error: new Error("x") });
    else await completeJob(env, { job, worker: "w", result: null });
    now = Math.min(now, Date.parse("2026-01-05T00:00:00Z") + m * 60_000 + 59_000);
  }
}
async function usage(pattern) {
  const found = await redis.keys(pattern);
  let bytes = 0;
  for (const k of found) bytes += Number(await redis.memory("USAGE", k));
  return { keys: found.length, bytes };
}
const q = await usage(`${keys.root}:history:*`);
const t = await usage(`${keys.root}:task-history:*`);
await dropKeys(redis, `${keys.root}:*`);
redis.disconnect();
console.log(`history memory, one day, ${PER_MINUTE + 1} attempts per minute (${PER_MINUTE} done, 1 failed), ${url}`);
console.log(`per queue: ${q.keys} hashes, ${q.bytes} bytes (${(q.bytes / 1024).toFixed(0)} KiB/day, ${(q.bytes / q.keys).toFixed(0)} B/minute)`);
console.log(`per scheduled task: ${t.keys} hashes, ${t.bytes} bytes (${(t.bytes / 1024).toFixed(0)} KiB/day)`);
console.log(`kept 7 days: ${((q.bytes * 7) / 1024 / 1024).toFixed(2)} MiB per busy queue`);
