// BullMQ under the same scenarios, same Redis database: producers in this process (Queue),
// workers in a separate process (bench/systems/bullmq-worker.mjs) so both systems pay for IPC
// with Redis from a process of their own.
import { Queue } from "bullmq";
import { BENCH_URL, ROOT, dropKeys, nowUs, perSecond, redisClient, sleep, startWorkerProcess, summary, usedMemory, waitFor } from "../lib/common.mjs";

export const name = "BullMQ";
const PREFIX = "bench-bull";
const SLICE = 1000;

export function createBull(redis) {
  // Each Queue gets a connection of its own, closed with it (BullMQ leaves a passed one open).
  const queueOf = (q) => {
    const connection = redisClient();
    const queue = new Queue(q, { connection, prefix: PREFIX, defaultJobOptions: { removeOnComplete: false, removeOnFail: false } });
    const close = queue.close.bind(queue);
    queue.close = async () => {
      await close();
      connection.disconnect();
    };
    return queue;
  };
  const drop = (q) => dropKeys(redis, `${PREFIX}:${q}:*`);

  async function fill(queue, task, n, data = () => ({})) {
    for (let i = 0; i < n; i += SLICE) {
      const jobs = [];
      for (let k = i; k < Math.min(n, i + SLICE); k++) jobs.push({ name: task, data: data(k) });
      await queue.addBulk(jobs);
    }
  }

  const startWorker = (q, concurrency) =>
    startWorkerProcess(`${ROOT}/bench/systems/bullmq-worker.mjs`, { BENCH_REDIS_URL: BENCH_URL, BULL_PREFIX: PREFIX, BULL_QUEUE: q, BENCH_CONCURRENCY: String(concurrency) }, "the BullMQ worker");

  return {
    name,
    async enqueueOne(n) {
      const queue = queueOf("enq");
      await queue.waitUntilReady();
      await queue.add("noop", { i: -1 }); // scripts loaded, as preloadScripts does for ours
      const rate = await perSecond(n, async () => {
        for (let i = 0; i < n; i++) await queue.add("noop", { i });
      });
      await queue.close();
      await drop("enq");
      return rate;
    },

    async enqueueBulk(n) {
      const queue = queueOf("enq");
      await queue.waitUntilReady();
      const rate = await perSecond(n, () => fill(queue, "noop", n, (i) => ({ i })));
      await queue.close();
      await drop("enq");
      return rate;
    },

    async throughput({ concurrency, task, n, onFilled, onDrained }) {
      const q = `tp-${concurrency}-${task}`;
      await drop(q);
      const queue = queueOf(q);
      await fill(queue, task, n);
      await onFilled?.();
      const w = await startWorker(q, concurrency);
      try {
        await waitFor(
          async () => {
            const { completed, failed } = await queue.getJobCounts("completed", "failed");
            if (failed > 0) throw new Error(`BullMQ: ${failed} bench jobs failed: ${w.output()}`);
            return completed >= n;
          },
          120_000,
          `${n} completed BullMQ jobs (concurrency ${concurrency}, ${task})`,
          50,
        );
      } finally {
        await w.stop();
      }
      const ids = await redis.zrange(`${PREFIX}:${q}:completed`, 0, -1);
      const pipe = redis.pipeline();
      for (const id of ids) pipe.hmget(`${PREFIX}:${q}:${id}`, "processedOn", "finishedOn");
      const rows = (await pipe.exec()).map(([, r]) => r.map(Number));
      const first = Math.min(...rows.map((r) => r[0]));
      const last = Math.max(...rows.map((r) => r[1]));
      onDrained?.({ first, last });
      await queue.close();
      await drop(q);
      return (n / Math.max(1, last - first)) * 1000;
    },

    async latency(samples) {
      const q = "lat";
      await drop(q);
      const queue = queueOf(q);
      const key = "bench:latency:bull";
      await redis.del(key);
      const blocking = redisClient();
      const w = await startWorker(q, 1);
      const lat = [];
      try {
        for (let i = -5; i < samples; i++) {
          await queue.add("stamp", { key, t0: nowUs() });
          const got = await blocking.blpop(key, 20);
          if (!got) throw new Error(`BullMQ latency: no stamp within 20 s: ${w.output()}`);
          if (i >= 0) lat.push(Number(got[1]));
          await sleep(5 + (i % 5));
        }
      } finally {
        await w.stop();
        blocking.disconnect();
      }
      await queue.close();
      await drop(q);
      return summary(lat);
    },

    /** upsertJobScheduler with every: 1000 and a worker; lateness = processedOn - planned time. */
    async precision(seconds) {
      const q = "prec";
      await drop(q);
      const queue = queueOf(q);
      const w = await startWorker(q, 1);
      await queue.upsertJobScheduler("every-second", { every: 1000 }, { name: "tick", data: {} });
      await sleep(seconds * 1000 + 1200);
      await queue.removeJobScheduler("every-second");
      await w.stop();
      const ids = await redis.zrange(`${PREFIX}:${q}:completed`, 0, -1);
      const pipe = redis.pipeline();
      for (const id of ids) pipe.hget(`${PREFIX}:${q}:${id}`, "processedOn");
      // A scheduler job's id ends with its slot (repeat:<scheduler id>:<ms>); the first one is
      // created for "now" at upsert time and runs at once: only the planned slots after it count.
      const slots = ids.map((id) => Number(id.split(":").pop()));
      const rows = (await pipe.exec()).map(([, p], i) => [slots[i], Number(p)]).sort((a, b) => a[0] - b[0]).slice(1);
      await queue.close();
      await drop(q);
      return { slots: rows.length, start: summary(rows.map(([slot, processedOn]) => processedOn - slot)) };
    },

    async memoryPerJob(n) {
      const q = "mem";
      await drop(q);
      const queue = queueOf(q);
      await queue.waitUntilReady();
      const before = await usedMemory(redis);
      await fill(queue, "noop", n, (i) => ({ i }));
      const after = await usedMemory(redis);
      await queue.close();
      await drop(q);
      return (after - before) / n;
    },
  };
}
