// hooks-scheduler under the bench: producers call the built package (dist/) directly; workers and
// the scheduler are the real `scheduler start` daemon (bin/scheduler.js) with the bench app.
import { spawn } from "node:child_process";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../../dist/config/defaults.js";
import { enqueueWith } from "../../dist/queue/enqueue.js";
import { enqueueManyWith } from "../../dist/queue/enqueue-many.js";
import { preloadScripts } from "../../dist/redis/scripts.js";
import { loadHooks } from "../../dist/hooks/load.js";
import { createScheduler } from "../../dist/scheduler/scheduler.js";
import { readLedger } from "../../dist/scheduler/ledger.js";
import { BENCH_URL, ROOT, benchKeys, perSecond, childrenOf, cpuMsOf, dropKeys, exited, nowUs, redisClient, resetPrefix, rssOf, sleep, summary, usedMemory, waitFor } from "../lib/common.mjs";

export const name = "hooks-scheduler";
const HOOKS = `${ROOT}/bench/app/hooks.ts`;
const QUEUE = "bench";
const SLICE = 1000;

/**
 * `scheduler start` on the bench app; resolves once it runs (a worker child per queue exists).
 * `url` and `queues` default to the bench's Redis and its one queue "bench".
 */
export async function spawnDaemon({ prefix, url = BENCH_URL, queues = [QUEUE], scheduler = false, env = {}, readyMs = 30_000 }) {
  const args = ["bin/scheduler.js", "start", "--hooks", HOOKS, "--redis", url, "--prefix", prefix, "--queue", queues.join(",")];
  if (!scheduler) args.push("--no-scheduler");
  // BENCH_DAEMON_ARGS="--no-log-file" (or any start flag) for a variant of the daemon;
  // BENCH_DAEMON_STDOUT_IGNORE=1 sends its stdout to /dev/null instead of a pipe read here
  args.push(...(process.env.BENCH_DAEMON_ARGS ?? "").split(" ").filter(Boolean));
  // BENCH_DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the daemon and
  // its worker children (they inherit the daemon's execArgv).
  const nodeArgs = (process.env.BENCH_DAEMON_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const extra = queues.filter((q) => q !== QUEUE);
  const child = spawn(process.execPath, [...nodeArgs, ...args], { cwd: ROOT, env: { ...process.env, BENCH_REDIS_URL: BENCH_URL, ...(extra.length ? { BENCH_QUEUES: extra.join(",") } : {}), ...env }, stdio: ["ignore", process.env.BENCH_DAEMON_STDOUT_IGNORE ? "ignore" : "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d) => (out = (out + d).slice(-4000)));
  child.stderr.on("data", (d) => (out = (out + d).slice(-4000)));
  await waitFor(() => child.exitCode !== null || childrenOf(child.pid).length >= queues.length, readyMs, "the daemon's worker children");
  if (child.exitCode !== null) throw new Error(`scheduler start exited ${child.exitCode}: ${out}`);
  return {
    child,
    output: () => out,
    async stop() {
      child.kill("SIGTERM");
      return exited(child);
    },
  };
}

export function createHs(redis) {
  const envFor = (prefix) => ({
    redis,
    keys: benchKeys(prefix),
    clock: () => Date.now(),
    queues: { ...BUILTIN_QUEUES, [QUEUE]: { timeout: 60, workers: 1, concurrency: 1 } },
    retention: { ...DEFAULT_RETENTION, finished: 3600 },
  });
  // every key of the prefix (both kinds of tag); `reset` also writes the bench's layout marker
  const drop = (prefix) => dropKeys(redis, benchKeys(prefix).pattern);
  const reset = (prefix) => resetPrefix(redis, prefix);
  const jobKey = (keys, id) => keys.job(id, keys.jobTag(QUEUE));

  async function fill(env, task, n, kwargs = () => ({})) {
    for (let i = 0; i < n; i += SLICE) {
      const items = [];
      for (let k = i; k < Math.min(n, i + SLICE); k++) items.push({ method: `bench_app.tasks.${task}`, options: { queue: QUEUE, ...kwargs(k) } });
      await enqueueManyWith(env, items);
    }
  }

  const startDaemon = (prefix, o = {}) => spawnDaemon({ prefix, ...o });
  return {
    name,
    async enqueueOne(n) {
      await reset("bench-hs-enq");
      const env = envFor("bench-hs-enq");
      await preloadScripts(redis, ["enqueue"]);
      const rate = await perSecond(n, async () => {
        for (let i = 0; i < n; i++) await enqueueWith(env, "bench_app.tasks.noop", { queue: QUEUE, i });
      });
      await drop("bench-hs-enq");
      return rate;
    },

    async enqueueBulk(n) {
      await reset("bench-hs-enq");
      const env = envFor("bench-hs-enq");
      const rate = await perSecond(n, () => fill(env, "noop", n, (i) => ({ i })));
      await drop("bench-hs-enq");
      return rate;
    },

    /** Jobs queued first, then the daemon drains them: n / (last end - first start). */
    async throughput({ concurrency, task, n, onFilled, onDrained }) {
      const prefix = `bench-hs-tp-${concurrency}-${task}`;
      const env = envFor(prefix);
      await reset(prefix);
      await fill(env, task, n);
      await onFilled?.();
      const d = await startDaemon(prefix, { env: { BENCH_CONCURRENCY: String(concurrency) } });
      try {
        await waitFor(
          async () => {
            const [done, failed] = await Promise.all([redis.zcard(env.keys.finished(QUEUE)), redis.zcard(env.keys.failed(QUEUE))]);
            if (failed > 0) throw new Error(`hooks-scheduler: ${failed} bench jobs failed; daemon said: ${d.output()}`);
            return done >= n;
          },
          120_000,
          `${n} finished jobs (concurrency ${concurrency}, ${task})`,
          50,
        );
      } finally {
        await d.stop();
      }
      const ids = await redis.zrange(env.keys.finished(QUEUE), 0, -1);
      const pipe = redis.pipeline();
      for (const id of ids) pipe.hmget(jobKey(env.keys, id), "startedAt", "endedAt");
      const rows = (await pipe.exec()).map(([, r]) => r.map(Number));
      const first = Math.min(...rows.map((r) => r[0]));
      const last = Math.max(...rows.map((r) => r[1]));
      onDrained?.({ first, last });
      await drop(prefix);
      return (n / Math.max(1, last - first)) * 1000;
    },

    /** One job at a time into an idle worker: the task's first clock reading minus the enqueuer's. */
    async latency(samples) {
      const prefix = "bench-hs-lat";
      const env = envFor(prefix);
      await reset(prefix);
      const key = `bench:latency:hs`;
      await redis.del(key);
      const blocking = redisClient();
      const d = await startDaemon(prefix);
      const lat = [];
      try {
        for (let i = -5; i < samples; i++) {
          await enqueueWith(env, "bench_app.tasks.stamp", { queue: QUEUE, key, t0: nowUs() });
          const got = await blocking.blpop(key, 20);
          if (!got) throw new Error(`hooks-scheduler latency: no stamp within 20 s; daemon said: ${d.output()}`);
          if (i >= 0) lat.push(Number(got[1]));
          await sleep(5 + (i % 5)); // let the worker go back to its blocking wait
        }
      } finally {
        await d.stop();
        blocking.disconnect();
      }
      await drop(prefix);
      return summary(lat);
    },

    /** A per-second schedule for `seconds` through the real daemon (scheduler + worker). */
    async precision(seconds) {
      const prefix = "bench-hs-prec";
      const keys = await reset(prefix);
      const d = await startDaemon(prefix, { scheduler: true, env: { BENCH_PRECISION: "1" } });
      const from = Date.now() + 1000; // slots after start-up only
      await sleep(seconds * 1000 + 1200);
      await d.stop();
      const ids = await redis.zrange(keys.finished(QUEUE), 0, -1);
      const pipe = redis.pipeline();
      for (const id of ids) pipe.hmget(jobKey(keys, id), "scheduledFor", "enqueuedAt", "startedAt");
      const rows = (await pipe.exec()).map(([, r]) => r.map(Number)).filter((r) => r[0] >= from && r[0] <= from + seconds * 1000);
      const ledger = await readLedger(redis, keys, "cron:* * * * * *|bench_app.tasks.noop", 200);
      const ack = ledger.filter((e) => e.outcome === "enqueued" && e.slot >= from).map((e) => e.latenessMs);
      await drop(prefix);
      return {
        slots: rows.length,
        enqueue: summary(rows.map((r) => r[1] - r[0])),
        enqueueAck: summary(ack),
        start: summary(rows.map((r) => r[2] - r[0])),
      };
    },

    /** N cron entries: the idle daemon's RSS and CPU, and one tick's CPU measured in-process. */
    /**
     * The daemon with `entries` cron entries: RSS sampled every second from start to `settleSeconds`
     * after it leads (its start-up peak; V8 hands the start-up garbage back within about a minute),
     * then CPU over `idleSeconds` idle and the RSS at its end (the idle figure).
     */
    async scale(entries, idleSeconds, settleSeconds = 60) {
      const prefix = "bench-hs-scale";
      await reset(prefix);
      // loading and validating 100 000 entries takes 10-60 s on a loaded 2-core machine
      const d = await startDaemon(prefix, { scheduler: true, env: { BENCH_CRON_ENTRIES: String(entries) }, readyMs: 180_000 });
      const keys = benchKeys(prefix);
      let idle;
      try {
        let peak = 0;
        const sample = () => (peak = Math.max(peak, rssOf(d.child.pid)));
        const sampler = setInterval(sample, 1000);
        try {
          // 100 000 entries take ~10-20 s of start-up on a loaded 2-core machine
          await waitFor(async () => (await redis.exists(keys.schedulerLeader())) === 1, 120_000, "the scheduler to lead");
          await sleep(settleSeconds * 1000); // start-up work (baselines, the first full reads, child preload) settles
        } finally {
          clearInterval(sampler);
        }
        sample();
        const pids = [d.child.pid, ...childrenOf(d.child.pid)];
        const cpu0 = pids.map(cpuMsOf);
        await sleep(idleSeconds * 1000);
        const cpu1 = pids.map(cpuMsOf);
        idle = {
          daemonRssMb: rssOf(pids[0]) / 2 ** 20,
          daemonPeakRssMb: peak / 2 ** 20,
          workerRssMb: pids.slice(1).reduce((s, p) => s + rssOf(p), 0) / 2 ** 20,
          daemonCpuPct: ((cpu1[0] - cpu0[0]) / (idleSeconds * 1000)) * 100,
        };
      } finally {
        await d.stop();
      }
      await drop(prefix);

      // One tick in this process: the same scheduler code, the same N tasks.
      const saved = process.env.BENCH_CRON_ENTRIES;
      process.env.BENCH_CRON_ENTRIES = String(entries);
      await reset(prefix);
      const hooks = await loadHooks({ hooksPath: HOOKS, fresh: true }); // fresh: the module reads BENCH_CRON_ENTRIES when evaluated, and a cached one keeps the first size
      if (saved === undefined) delete process.env.BENCH_CRON_ENTRIES;
      else process.env.BENCH_CRON_ENTRIES = saved;
      const env = envFor(prefix);
      const sched = createScheduler({ env, tasks: hooks.tasks, timezone: "UTC", clock: () => Date.now() });
      for (let i = 0; i < 2; i++) await sched.tick(); // first ticks write baselines
      const TICKS = 10;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < TICKS; i++) await sched.tick();
      const c1 = process.cpuUsage(c0);
      const wall = performance.now() - t0;
      // The full read (every task's records; every 30 s, at a new lease and after a reload):
      // the same scheduler with fullReadMs 0 reads them all at each tick.
      const full = createScheduler({ env, tasks: hooks.tasks, timezone: "UTC", clock: () => Date.now(), fullReadMs: 0 });
      await full.tick();
      const FULL_TICKS = 3;
      const f0 = process.cpuUsage();
      for (let i = 0; i < FULL_TICKS; i++) await full.tick();
      const f1 = process.cpuUsage(f0);
      await drop(prefix);
      return { tasks: hooks.tasks.length, ...idle, tickCpuMs: (c1.user + c1.system) / 1000 / TICKS, tickWallMs: wall / TICKS, fullReadCpuMs: (f1.user + f1.system) / 1000 / FULL_TICKS };
    },

    /** Redis memory per queued job: INFO used_memory before/after n queued no-op jobs. */
    async memoryPerJob(n) {
      const prefix = "bench-hs-mem";
      const env = envFor(prefix);
      await reset(prefix);
      const before = await usedMemory(redis);
      await fill(env, "noop", n, (i) => ({ i }));
      const after = await usedMemory(redis);
      await drop(prefix);
      return (after - before) / n;
    },
  };
}
