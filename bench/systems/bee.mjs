// Bee-Queue (npm bee-queue, node-redis 3) under the same scenarios, same Redis database:
// producers in this process, workers in a separate process (bench/systems/bee-worker.mjs), as
// for BullMQ. Bee-Queue has no recurring schedule, so it sits out the precision scenario.
import Queue from "bee-queue";
import { BENCH_URL, ROOT, dropKeys, nowUs, perSecond, redisClient, sleep, startWorkerProcess, summary, usedMemory, waitFor } from "../lib/common.mjs";

export const name = "Bee-Queue";
const PREFIX = "bench-bee";
const SLICE = 1000;

export function createBee(redis) {
  const queueOf = (q) => new Queue(q, { prefix: PREFIX, redis: { url: BENCH_URL }, isWorker: false, getEvents: false, sendEvents: false });
  const drop = (q) => dropKeys(redis, `${PREFIX}:${q}:*`);

  async function fill(queue, task, n, data = () => ({})) {
    for (let i = 0; i < n; i += SLICE) {
      const jobs = [];
      for (let k = i; k < Math.min(n, i + SLICE); k++) jobs.push(queue.createJob({ task, ...data(k) }));
      const errors = await queue.saveAll(jobs);
      if (errors.size > 0) throw new Error(`Bee-Queue saveAll: ${[...errors.values()][0].message}`);
    }
  }

  async function startWorker(q, concurrency) {
    const w = await startWorkerProcess(`${ROOT}/bench/systems/bee-worker.mjs`, { BENCH_REDIS_URL: BENCH_URL, BEE_PREFIX: PREFIX, BEE_QUEUE: q, BENCH_CONCURRENCY: String(concurrency) }, "the Bee-Queue worker");
    return {
      output: w.output,
      /** Stops the worker; resolves with the times it noted ({ first, last, done }). */
      async stop() {
        await w.stop();
        const line = w.output().trim().split("\n").pop();
        try {
          return JSON.parse(line);
        } catch {
          throw new Error(`Bee-Queue worker printed no times at stop: ${w.output().slice(-400)}`);
        }
      },
    };
  }

  return {
    name,
    async enqueueOne(n) {
      const queue = queueOf("enq");
      await queue.ready();
      await queue.createJob({ task: "noop", i: -1 }).save(); // scripts loaded first, as for the others
      const rate = await perSecond(n, async () => {
        for (let i = 0; i < n; i++) await queue.createJob({ task: "noop", i }).save();
      });
      await queue.close();
      await drop("enq");
      return rate;
    },

    async enqueueBulk(n) {
      const queue = queueOf("enq");
      await queue.ready();
      const rate = await perSecond(n, () => fill(queue, "noop", n, (i) => ({ i })));
      await queue.close();
      await drop("enq");
      return rate;
    },

    async throughput({ concurrency, task, n }) {
      const q = `tp-${concurrency}-${task}`;
      await drop(q);
      const queue = queueOf(q);
      await queue.ready();
      await fill(queue, task, n);
      const w = await startWorker(q, concurrency);
      let times;
      try {
        await waitFor(
          async () => {
            const { succeeded, failed } = await queue.checkHealth();
            if (failed > 0) throw new Error(`Bee-Queue: ${failed} bench jobs failed: ${w.output()}`);
            return succeeded >= n;
          },
          120_000,
          `${n} succeeded Bee-Queue jobs (concurrency ${concurrency}, ${task})`,
          50,
        );
      } finally {
        times = await w.stop();
      }
      await queue.close();
      await drop(q);
      if (times.done < n) throw new Error(`Bee-Queue worker ran ${times.done} of ${n} jobs`);
      return (n / Math.max(1, times.last - times.first)) * 1000;
    },

    async latency(samples) {
      const q = "lat";
      await drop(q);
      const queue = queueOf(q);
      await queue.ready();
      const key = "bench:latency:bee";
      await redis.del(key);
      const blocking = redisClient();
      const w = await startWorker(q, 1);
      const lat = [];
      try {
        for (let i = -5; i < samples; i++) {
          await queue.createJob({ task: "stamp", key, t0: nowUs() }).save();
          const got = await blocking.blpop(key, 20);
          if (!got) throw new Error(`Bee-Queue latency: no stamp within 20 s: ${w.output()}`);
          if (i >= 0) lat.push(Number(got[1]));
          await sleep(5 + (i % 5));
        }
      } finally {
        await w.stop().catch(() => undefined);
        blocking.disconnect();
      }
      await queue.close();
      await drop(q);
      return summary(lat);
    },

    async memoryPerJob(n) {
      const q = "mem";
      await drop(q);
      const queue = queueOf(q);
      await queue.ready();
      const before = await usedMemory(redis);
      await fill(queue, "noop", n, (i) => ({ i }));
      const after = await usedMemory(redis);
      await queue.close();
      await drop(q);
      return (after - before) / n;
    },
  };
}
