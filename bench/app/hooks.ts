// The app every hooks-scheduler bench run starts with `scheduler start` (see bench/systems/hs.mjs).
// Knobs come from the environment, so one file serves every scenario:
//   BENCH_CONCURRENCY   jobs one worker child runs at once on queue "bench" (default 1)
//   BENCH_PRECISION=1   a per-second schedule (6-field cron) into queue "bench"
//   BENCH_CRON_ENTRIES  N distinct cron entries (minute/hour/weekday combinations), for the
//                       cost-of-scheduling-at-scale scenario; they fire at most once a minute
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 1);
const entries = Number(process.env.BENCH_CRON_ENTRIES ?? 0);

const cron: Record<string, Array<string | { method: string; queue: string }>> = {};
if (process.env.BENCH_PRECISION === "1") cron["* * * * * *"] = [{ method: "bench_app.tasks.noop", queue: "bench" }];
for (let i = 0; i < entries; i++) {
  // 60 x 24 x 7 = 10 080 distinct expressions: enough for 10 000 entries.
  const minute = i % 60;
  const hour = Math.floor(i / 60) % 24;
  const weekday = Math.floor(i / 1440) % 7;
  cron[`${minute} ${hour} * * ${weekday}`] = [{ method: "bench_app.tasks.noop", queue: "bench" }];
}

export default {
  scheduler_events: { cron },
  queues: {
    bench: { timeout: 60, workers: 1, concurrency },
  },
  retention: { finished: 3600, failed: 3600 },
};
