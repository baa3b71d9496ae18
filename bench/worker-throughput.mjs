// Worker throughput end to end: the real supervisor, real child processes, real Redis, no-op
// jobs. For each concurrency, N jobs are enqueued first, then a burst supervisor drains them;
// the clock runs from the first child being ready to the drain (child start-up excluded).
// Run after `npm run build`:
//   BENCH_REDIS_URL=redis://127.0.0.1:6379/4 node bench/worker-throughput.mjs
// Options (env): BENCH_JOBS (default 5000), BENCH_CONCURRENCY (default "1,10,50"),
//   BENCH_PROCESSES (default 1).
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { createKeys } from "../dist/redis/keys.js";
import { DEFAULT_RETENTION } from "../dist/config/defaults.js";
import { enqueueWith } from "../dist/queue/enqueue.js";
import { loadHooks } from "../dist/hooks/load.js";
import { resolveConfig } from "../dist/settings/resolve.js";
import { startSupervisor } from "../dist/worker/supervisor/supervisor.js";
import { silentLogger } from "../dist/worker/log.js";
import { dropKeys } from "./lib/common.mjs";

const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/4";
const N = Number(process.env.BENCH_JOBS ?? 5000);
const levels = (process.env.BENCH_CONCURRENCY ?? "1,10,50").split(",").map(Number);
const processes = Number(process.env.BENCH_PROCESSES ?? 1);
const hooksFile = fileURLToPath(new URL("../test/worker/fixtures/app/hooks.ts", import.meta.url));

const redis = new Redis(url);
const hooks = await loadHooks({ hooksPath: hooksFile });
const base = resolveConfig({ hooks, env: {} });


async function run(concurrency) {
  const prefix = `bench-worker-${process.pid}-${concurrency}`;
  const keys = createKeys(prefix);
  const env = { redis, keys, clock: () => Date.now(), queues: base.queues, retention: DEFAULT_RETENTION };
  for (let i = 0; i < N; i++) await enqueueWith(env, "app.tasks.noop", { queue: "default" });

  let firstReady;
  const logger = {
    ...silentLogger,
    info: (obj, msg) => {
      if (msg === "worker up" && firstReady === undefined) firstReady = performance.now();
    },
  };
  const spawnedAt = performance.now();
  const sup = await startSupervisor({
    config: { ...base, prefix },
    redisUrl: url,
    groups: [{ name: "default", queues: ["default"], processes, concurrency, strategy: "priority" }],
    burst: true,
    logger,
  });
  const code = await Promise.race([sup.done, new Promise((r) => setTimeout(() => r("timeout"), 120_000))]);
  const end = performance.now();
  if (code === "timeout") sup.force("bench timeout");
  const finished = await redis.zcard(keys.finished("default"));
  await dropKeys(redis, `${keys.root}:*`);
  const ms = end - (firstReady ?? spawnedAt);
  return { concurrency, processes, jobs: N, finished, code, startMs: (firstReady ?? end) - spawnedAt, ms, rate: (finished / ms) * 1000 };
}

const rows = [];
for (const c of levels) rows.push(await run(c));
redis.disconnect();

console.log(`worker throughput: ${N} no-op jobs, ${processes} child process(es), ${url}`);
console.log("concurrency | finished | child start ms | drain ms | jobs/s");
for (const r of rows) {
  console.log(
    `${String(r.concurrency).padStart(11)} | ${String(r.finished).padStart(8)} | ${r.startMs.toFixed(0).padStart(14)} | ${r.ms.toFixed(0).padStart(8)} | ${r.rate.toFixed(0).padStart(6)}` +
      (r.code === 0 ? "" : `  (exit ${r.code})`),
  );
}
