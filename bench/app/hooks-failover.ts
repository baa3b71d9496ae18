// bench/leader-gap.mjs: one every-second task whose catch-up policy is BENCH_CATCHUP ("all":
// every missed slot within a minute; else "latest"), recording its slots in BENCH_SLOTS_KEY.
const catchup = process.env.BENCH_CATCHUP === "all" ? ({ all: true, window: "1m" } as const) : "latest";

export default {
  scheduler_events: {
    cron: { "* * * * * *": [{ method: "bench_app.tasks.slot", queue: "bench", catchup, kwargs: { key: process.env.BENCH_SLOTS_KEY ?? "bench:slots" } }] },
  },
  queues: { bench: { timeout: 60, workers: 1, concurrency: 4 } },
  retention: { finished: 600, failed: 600 },
};
