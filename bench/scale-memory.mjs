#!/usr/bin/env -S node --expose-gc
/**
 * Where the scheduler's memory goes with N cron entries (default 100 000), in one process:
 * loadHooks on bench/app/hooks.ts, then the first tick (every baseline), a second (idle) tick and a
 * full read, printing process.memoryUsage() before and after a full GC at each step.
 * `node --expose-gc bench/scale-memory.mjs [entries] [tick slice]`; Redis at BENCH_REDIS_URL.
 * Needs `npm run build` first (it drives dist/).
 */
import { createKeys } from "../dist/redis/keys.js";
import { BUILTIN_QUEUES, DEFAULT_RETENTION } from "../dist/config/defaults.js";
import { loadHooks } from "../dist/hooks/load.js";
import { createScheduler } from "../dist/scheduler/scheduler.js";
import { ROOT, dropKeys, redisClient } from "./lib/common.mjs";

if (typeof globalThis.gc !== "function") {
  console.error("bench/scale-memory.mjs: run it with node --expose-gc");
  process.exit(2);
}
const entries = Number(process.argv[2] ?? 100_000);
const tickSlice = process.argv[3] ? Number(process.argv[3]) : undefined;
const mb = (x) => (x / 2 ** 20).toFixed(0).padStart(5);
const show = (what) => {
  const m = process.memoryUsage();
  console.log(`${what.padEnd(30)} rss ${mb(m.rss)} MB  heap total ${mb(m.heapTotal)} MB  heap used ${mb(m.heapUsed)} MB`);
};
const step = (what) => {
  show(what);
  globalThis.gc();
  show("  after a full GC");
};

show("modules loaded");
process.env.BENCH_CRON_ENTRIES = String(entries);
const hooks = await loadHooks({ hooksPath: `${ROOT}/bench/app/hooks.ts` });
step(`hooks loaded (${hooks.tasks.length} tasks)`);
const redis = redisClient();
const keys = createKeys("bench-hs-scale-memory");
await dropKeys(redis, `${keys.root}:*`);
const env = { redis, keys, clock: () => Date.now(), queues: { ...BUILTIN_QUEUES, bench: { timeout: 60, workers: 1, concurrency: 1 } }, retention: DEFAULT_RETENTION };
const options = { env, tasks: hooks.tasks, timezone: "UTC", clock: () => Date.now(), tickSlice };
const scheduler = createScheduler(options);
await scheduler.tick();
step("first tick (every baseline)");
await scheduler.tick();
step("second tick (idle)");
await createScheduler({ ...options, fullReadMs: 0 }).tick();
step("a full read");
await dropKeys(redis, `${keys.root}:*`);
redis.disconnect();
