// The app every hooks-scheduler bench run starts with `scheduler start` (see bench/systems/hs.mjs).
// Knobs come from the environment, so one file serves every scenario:
//   BENCH_CONCURRENCY   jobs one worker child runs at once on queue "bench" (default 1)
//   BENCH_PRECISION=1   a per-second schedule (6-field cron) into queue "bench"
//   BENCH_CRON_ENTRIES  N distinct cron entries (minute/hour/weekday combinations, then the same
//                       in one month each past 10 080), for the cost-of-scheduling-at-scale
//                       scenario; each fires at most once a week
//   BENCH_QUEUES        comma list of more queues like "bench" (the cluster section's five)
//   BENCH_PARTITIONS    partitions of each of those queues (default 1)
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 1);
const entries = Number(process.env.BENCH_CRON_ENTRIES ?? 0);
const extraQueues = (process.env.BENCH_QUEUES ?? "").split(",").filter(Boolean);
const partitions = Number(process.env.BENCH_PARTITIONS ?? 1);

const cron: Record<string, Array<string | { method: string; queue: string }>> = {};
if (process.env.BENCH_PRECISION === "1") cron["* * * * * *"] = [{ method: "bench_app.tasks.noop", queue: "bench" }];
for (let i = 0; i < entries; i++) {
  // 60 x 24 x 7 = 10 080 distinct expressions for the first 10 080 entries (each weekly); the
  // next ones add a month (12 x 10 080 more: each weekly in one month of the year).
  const minute = i % 60;
  const hour = Math.floor(i / 60) % 24;
  const weekday = Math.floor(i / 1440) % 7;
  const month = i < 10_080 ? "*" : String((Math.floor(i / 10_080) - 1) % 12 + 1);
  cron[`${minute} ${hour} * ${month} ${weekday}`] = [{ method: "bench_app.tasks.noop", queue: "bench" }];
}

export default {
  scheduler_events: { cron },
  queues: {
    bench: { timeout: 60, workers: 1, concurrency },
    ...Object.fromEntries(extraQueues.map((q) => [q, { timeout: 60, workers: 1, concurrency, ...(partitions > 1 ? { partitions } : {}) }])),
  },
  retention: { finished: 3600, failed: 3600 },
};
