// A BullMQ worker in its own process (as hooks-scheduler's worker child is), running the bench
// app's task bodies. Env: BENCH_REDIS_URL, BULL_PREFIX, BULL_QUEUE, BENCH_CONCURRENCY.
// Prints "ready" once the worker is connected; SIGTERM closes it.
import { Worker } from "bullmq";
import { Redis } from "ioredis";

const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/10";
const connection = new Redis(url, { maxRetriesPerRequest: null });
let stamps;
const tasks = {
  noop: async () => {},
  sleep5: () => new Promise((resolve) => setTimeout(resolve, 5)),
  stamp: async (job) => {
    const dt = performance.timeOrigin + performance.now() - job.data.t0;
    stamps ??= new Redis(url);
    await stamps.rpush(job.data.key, String(dt));
  },
  tick: async () => {},
};
const worker = new Worker(
  process.env.BULL_QUEUE ?? "bench",
  (job) => tasks[job.name](job),
  { connection, prefix: process.env.BULL_PREFIX ?? "bench-bull", concurrency: Number(process.env.BENCH_CONCURRENCY ?? 1) },
);
worker.on("error", (err) => console.error(`bullmq worker: ${err.message}`));
await worker.waitUntilReady();
console.log("ready");
process.on("SIGTERM", async () => {
  await worker.close();
  connection.disconnect();
  stamps?.disconnect();
  process.exit(0);
});
