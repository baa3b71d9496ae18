/**
 * The /metrics registry (prom-client): every series the daemon exports, named by the Prometheus
 * guide (prefix hs_, base units, _total only on counters, no job id or kwargs in any label).
 *
 * Three sources, and the rule that keeps several daemons on one Redis from double counting:
 * - per-process counters and histograms (job-tally.ts, process-counters.ts): each daemon counts
 *   what its own workers and scheduler did, so `sum` over daemons is the installation's total;
 * - this process's workers and leadership (hs_workers, hs_worker_child_rss_bytes,
 *   hs_scheduler_leader): also `sum` (exactly one daemon has hs_scheduler_leader 1);
 * - installation-wide gauges read from Redis at scrape time (hs_jobs,
 *   hs_queue_oldest_job_age_seconds, hs_schedule_*_timestamp_seconds): every daemon reports the
 *   same value, so aggregate them with `max`, never `sum` (docs/metrics.md).
 */
import { Histogram, Registry, collectDefaultMetrics, type Metric } from "prom-client";
import { nextFire } from "../../schedule/next-fire.js";
import type { HttpDeps } from "../types.js";
import { DURATION_BUCKETS_SECONDS } from "../../telemetry/duration-buckets.js";
import { JOB_OUTCOMES, jobTally, type HistogramCounts } from "../../telemetry/job-tally.js";
import { pendingLateness, scheduleFires, splitKey, workerRestarts } from "../../telemetry/process-counters.js";
import { JOB_STATES, readRedisFigures, type RedisFigures } from "./redis-figures.js";

type Labels = Record<string, string | number>;
interface Sample {
  labels: Labels;
  value: number;
  metricName?: string;
}

/** A series computed at scrape time, in prom-client's serialisation shape. */
function computed(name: string, help: string, type: "counter" | "gauge" | "histogram", values: () => Sample[]): Metric {
  return { name, help, get: async () => ({ name, help, type, values: values(), aggregator: "sum" }) } as unknown as Metric;
}

function histogramSamples(name: string, labels: Labels, h: HistogramCounts): Sample[] {
  const out: Sample[] = [];
  let cumulative = 0;
  DURATION_BUCKETS_SECONDS.forEach((le, i) => {
    cumulative += h.buckets[i] ?? 0;
    out.push({ labels: { ...labels, le }, value: cumulative, metricName: `${name}_bucket` });
  });
  cumulative += h.buckets[DURATION_BUCKETS_SECONDS.length] ?? 0;
  out.push({ labels: { ...labels, le: "+Inf" }, value: cumulative, metricName: `${name}_bucket` });
  out.push({ labels, value: h.sum, metricName: `${name}_sum` });
  out.push({ labels, value: cumulative, metricName: `${name}_count` });
  return out;
}

const OUTCOME_HELP: Record<(typeof JOB_OUTCOMES)[number], string> = {
  completed: "Jobs that finished successfully, counted by the daemon whose worker ran them",
  failed: "Jobs that failed for good (no retry left, or abandoned past the stall limit)",
  retried: "Attempts that failed and were scheduled for a retry",
  timed_out: "Attempts stopped by their timeout (soft abort or hard kill)",
  abandoned: "Jobs failed because their worker died past the stall limit",
  canceled: "Running jobs that ended canceled",
};

export interface MetricsHandle {
  registry: Registry;
  /** Read Redis, then render every series (text or JSON). */
  scrape(): Promise<{ figures: RedisFigures }>;
}

export function createMetrics(deps: HttpDeps, options: { processMetrics?: boolean } = {}): MetricsHandle {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  let figures: RedisFigures = { up: false, jobs: new Map(), oldestAge: new Map(), lastSlots: new Map() };

  for (const outcome of JOB_OUTCOMES) {
    registry.registerMetric(
      computed(`hs_jobs_${outcome}_total`, OUTCOME_HELP[outcome], "counter", () =>
        jobTally
          .outcomeSeries()
          .filter((s) => s.outcome === outcome)
          .map((s) => ({ labels: { queue: s.queue, task: s.task }, value: s.value })),
      ),
    );
  }
  registry.registerMetric(
    computed("hs_job_run_seconds", "Run time of job attempts that ran to an end here (finished, failed, timed out)", "histogram", () =>
      jobTally.runSeries().flatMap((s) => histogramSamples("hs_job_run_seconds", { queue: s.queue, task: s.task }, s.h)),
    ),
  );
  registry.registerMetric(
    computed("hs_job_wait_seconds", "Time jobs waited in their queue (enqueued or promoted -> started)", "histogram", () =>
      [...jobTally.waits].flatMap(([queue, h]) => histogramSamples("hs_job_wait_seconds", { queue }, h)),
    ),
  );
  registry.registerMetric(
    computed("hs_jobs", "Jobs per queue and state in Redis (installation-wide: aggregate with max, not sum)", "gauge", () =>
      [...figures.jobs].flatMap(([queue, counts]) => JOB_STATES.map((state) => ({ labels: { queue, state }, value: counts[state] }))),
    ),
  );
  registry.registerMetric(
    computed("hs_queue_oldest_job_age_seconds", "Age of the oldest queued job, 0 when the queue is empty (installation-wide: max)", "gauge", () =>
      [...figures.oldestAge].map(([queue, value]) => ({ labels: { queue }, value })),
    ),
  );
  registry.registerMetric(
    computed("hs_workers", "Worker processes of this daemon per worker group (queue = the group's queues) and state", "gauge", () => {
      const slots = deps.runtime?.workers?.() ?? [];
      const by = new Map<string, number>();
      for (const s of slots) {
        if (s.state !== "idle" && s.state !== "busy") continue;
        const k = `${s.group}\u0000${s.state}`;
        by.set(k, (by.get(k) ?? 0) + 1);
      }
      const groups = [...new Set(slots.map((s) => s.group))];
      return groups.flatMap((queue) => (["idle", "busy"] as const).map((state) => ({ labels: { queue, state }, value: by.get(`${queue}\u0000${state}`) ?? 0 })));
    }),
  );
  registry.registerMetric(
    computed("hs_worker_restarts_total", "Worker processes replaced, by reason (timeout, cancel, crash)", "counter", () =>
      [...workerRestarts].map(([k, value]) => {
        const [queue, reason] = splitKey(k);
        return { labels: { queue, reason }, value };
      }),
    ),
  );
  registry.registerMetric(
    computed("hs_worker_child_rss_bytes", "Resident memory of each worker process, as it last reported", "gauge", () =>
      (deps.runtime?.workers?.() ?? []).filter((s) => s.rss !== undefined).map((s) => ({ labels: { queue: s.group, slot: s.slot }, value: s.rss! })),
    ),
  );
  registry.registerMetric(
    computed("hs_scheduler_leader", "1 on the daemon whose scheduler holds the leader lease", "gauge", () => {
      const st = deps.runtime?.scheduler?.();
      return st ? [{ labels: {}, value: st.leader ? 1 : 0 }] : [];
    }),
  );
  registry.registerMetric(
    computed("hs_schedule_fires_total", "Slots of scheduled tasks handled by this daemon's scheduler, by outcome", "counter", () =>
      [...scheduleFires].map(([k, value]) => {
        const [task, outcome] = splitKey(k);
        return { labels: { task, outcome }, value };
      }),
    ),
  );
  const lateness = new Histogram({
    name: "hs_schedule_lateness_seconds",
    help: "Time between a slot and its enqueue, per scheduled task",
    labelNames: ["task"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
    collect() {
      for (const [task, s] of pendingLateness.splice(0)) this.observe({ task }, s);
    },
  });
  void lateness;
  registry.registerMetric(
    computed("hs_schedule_last_fire_timestamp_seconds", "The last slot recorded for each scheduled task, Unix seconds (installation-wide: max)", "gauge", () =>
      [...figures.lastSlots].map(([task, ms]) => ({ labels: { task }, value: ms / 1000 })),
    ),
  );
  registry.registerMetric(
    computed("hs_schedule_next_fire_timestamp_seconds", "The next slot of each scheduled task, Unix seconds", "gauge", () => {
      const now = deps.clock();
      return (deps.tasks ?? []).flatMap((t) => {
        const at = nextFire(t.expression, deps.config.timezone, now);
        return at === undefined ? [] : [{ labels: { task: t.id }, value: at / 1000 }];
      });
    }),
  );
  registry.registerMetric(computed("hs_redis_up", "1 when Redis answered this scrape", "gauge", () => [{ labels: {}, value: figures.up ? 1 : 0 }]));
  registry.registerMetric(
    computed("hs_redis_roundtrip_seconds", "Round trip of a PING to Redis during this scrape", "gauge", () =>
      figures.roundtripSeconds === undefined ? [] : [{ labels: {}, value: figures.roundtripSeconds }],
    ),
  );

  return {
    registry,
    scrape: async () => {
      figures = await readRedisFigures(deps.redis, deps.keys, Object.keys(deps.config.queues), deps.clock);
      return { figures };
    },
  };
}
