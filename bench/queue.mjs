// Queue figures: enqueue rate, enqueue->start latency with a worker blocked in waitForJobs, and
// full job cycles (enqueue + dequeue + complete) per second. Run after `npm run build`:
//   BENCH_REDIS_URL=redis://127.0.0.1:6379/2 node bench/queue.mjs
import { Redis } from "ioredis";
import { createKeys } from "../dist/redis/keys.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../dist/config/defaults.js";
import { enqueueWith } from "../dist/queue/enqueue.js";
import { completeJob, dequeue, waitForJobs } from "../dist/queue/lifecycle.js";
import { preloadScripts } from "../dist/redis/scripts.js";
import { dropKeys } from "./lib/common.mjs";

const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/2";
const N = Number(process.env.BENCH_JOBS ?? 2000);
const redis = new Redis(url);
const blocking = new Redis(url, { maxRetriesPerRequest: null });
const keys = createKeys(`bench-${process.pid}`);
const env = { redis, keys, clock: () => Date.now(), queues: BUILTIN_QUEUES, retention: DEFAULT_RETENTION };
await preloadScripts(redis, ["enqueue", "dequeue", "complete"]);

const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

// 1. sequential enqueues
let t = performance.now();
for (let i = 0; i < N; i++) await enqueueWith(env, "bench.tasks.noop", { i });
const enqueueMs = performance.now() - t;
await redis.del(keys.queue("default"), keys.wake("default"));

// 2. enqueue -> started, one idle worker blocked in waitForJobs on its own connection
const latencies = [];
for (let i = 0; i < Math.min(N, 500); i++) {
  const woke = waitForJobs(blocking, env, ["default"], 5);
  await new Promise((r) => setImmediate(r));
  const t0 = performance.now();
  await enqueueWith(env, "bench.tasks.noop", { i });
  await woke;
  const job = await dequeue(env, { queues: ["default"], worker: "bench", leaseMs: 30_000 });
  latencies.push(performance.now() - t0);
  await completeJob(env, { job, worker: "bench", result: null });
}

// 3. full cycles
t = performance.now();
for (let i = 0; i < N; i++) {
  await enqueueWith(env, "bench.tasks.noop", { i });
  const job = await dequeue(env, { queues: ["default"], worker: "bench", leaseMs: 30_000 });
  await completeJob(env, { job, worker: "bench", result: i });
}
const cycleMs = performance.now() - t;

console.log(`enqueue: ${N} sequential in ${enqueueMs.toFixed(0)} ms = ${((N / enqueueMs) * 1000).toFixed(0)}/s (${(enqueueMs / N).toFixed(3)} ms each)`);
console.log(`enqueue -> started (worker idle in waitForJobs): p50 ${pct(latencies, 50).toFixed(3)} ms, p99 ${pct(latencies, 99).toFixed(3)} ms over ${latencies.length}`);
console.log(`cycle enqueue+dequeue+complete: ${N} in ${cycleMs.toFixed(0)} ms = ${((N / cycleMs) * 1000).toFixed(0)} jobs/s`);

await dropKeys(redis, `${keys.root}:*`);
redis.disconnect();
blocking.disconnect();
