// A Bee-Queue worker in its own process (as hooks-scheduler's worker child is), running the bench
// app's task bodies. Env: BENCH_REDIS_URL, BEE_PREFIX, BEE_QUEUE, BENCH_CONCURRENCY.
// Prints "ready" once connected. Bee-Queue keeps no start/finish time on a job, so this process
// notes the first start and the last end itself and prints them as JSON on SIGTERM, before exit.
import Queue from "bee-queue";
import { Redis } from "ioredis";

const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/10";
let stamps;
let first = Infinity;
let last = 0;
let done = 0;
const now = () => performance.timeOrigin + performance.now();
const tasks = {
  noop: async () => {},
  sleep5: () => new Promise((resolve) => setTimeout(resolve, 5)),
  stamp: async (job) => {
    const dt = now() - job.data.t0;
    stamps ??= new Redis(url);
    await stamps.rpush(job.data.key, String(dt));
  },
};
const queue = new Queue(process.env.BEE_QUEUE ?? "bench", {
  prefix: process.env.BEE_PREFIX ?? "bench-bee",
  redis: { url },
  // Bee-Queue's own advice for a worker that nobody listens to: no pub/sub connection
  getEvents: false,
  storeJobs: false,
  removeOnSuccess: false,
});
queue.on("error", (err) => console.error(`bee worker: ${err.message}`));
queue.process(Number(process.env.BENCH_CONCURRENCY ?? 1), async (job) => {
  const t = now();
  if (t < first) first = t;
  await tasks[job.data.task](job);
  last = now();
  done++;
});
await queue.ready();
console.log("ready");
process.on("SIGTERM", async () => {
  await queue.close(10_000);
  stamps?.disconnect();
  console.log(JSON.stringify({ first, last, done }));
  process.exit(0);
});
