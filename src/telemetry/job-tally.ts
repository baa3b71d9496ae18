/**
 * Per-process job counters and duration histograms, without an IPC write or a Redis call per job.
 *
 * Every process that ends jobs (a worker child, a supervisor failing a timed-out or dead
 * worker's job) records here, in memory. A worker child sends what it recorded since its last
 * pulse along with that pulse (src/worker/child/pulse-journal.ts) and starts again from zero; its supervisor
 * merges the delta into its own tally, which /metrics reads. So the counters of a daemon cover
 * its workers, and several daemons' counters add up (Prometheus `sum`).
 */
import { DURATION_BUCKETS_SECONDS, bucketIndex } from "./duration-buckets.js";
import { METRICS_ON } from "./metrics-switch.js";

export const JOB_OUTCOMES = ["completed", "failed", "retried", "timed_out", "abandoned", "canceled"] as const;
export type JobOutcomeKind = (typeof JOB_OUTCOMES)[number];

/** Bucket counts (non-cumulative, last = +Inf) and their sum, in seconds. */
export interface HistogramCounts {
  buckets: number[];
  sum: number;
}

/** What a child sends up with a pulse: only the series that changed. */
export interface TallyDelta {
  /** [queue, task, outcome, count] */
  outcomes: Array<[string, string, JobOutcomeKind, number]>;
  /** [queue, task, run histogram] */
  runs: Array<[string, string, HistogramCounts]>;
  /** [queue, wait histogram] */
  waits: Array<[string, HistogramCounts]>;
}

function emptyHistogram(): HistogramCounts {
  return { buckets: new Array<number>(DURATION_BUCKETS_SECONDS.length + 1).fill(0), sum: 0 };
}

function addInto(into: HistogramCounts, from: HistogramCounts): void {
  for (let i = 0; i < into.buckets.length; i++) into.buckets[i]! += from.buckets[i] ?? 0;
  into.sum += from.sum;
}

const SEP = "\u0000";

type OutcomeCounts = Partial<Record<JobOutcomeKind, number>>;

export class JobTally {
  /** "<queue>\0<task>" -> counts per outcome */
  readonly outcomes = new Map<string, OutcomeCounts>();
  readonly runs = new Map<string, HistogramCounts>();
  readonly waits = new Map<string, HistogramCounts>();
  /** queue -> task -> "<queue>\0<task>": the hot path looks keys up instead of building them */
  private readonly pairKeys = new Map<string, Map<string, string>>();
  private changed = false;

  /** Anything recorded since the last drain(). */
  get dirty(): boolean {
    return this.changed;
  }

  private pair(queue: string, task: string): string {
    let byTask = this.pairKeys.get(queue);
    if (!byTask) this.pairKeys.set(queue, (byTask = new Map()));
    let k = byTask.get(task);
    if (k === undefined) byTask.set(task, (k = queue + SEP + task));
    return k;
  }

  count(queue: string, task: string, outcome: JobOutcomeKind, n = 1): void {
    const k = this.pair(queue, task);
    let c = this.outcomes.get(k);
    if (!c) this.outcomes.set(k, (c = {}));
    c[outcome] = (c[outcome] ?? 0) + n;
    this.changed = true;
  }

  observeRun(queue: string, task: string, seconds: number): void {
    observe(this.runs, this.pair(queue, task), seconds);
    this.changed = true;
  }

  observeWait(queue: string, seconds: number): void {
    observe(this.waits, queue, seconds);
    this.changed = true;
  }

  /** Everything recorded so far, and forget it (a child, before a pulse). */
  drain(): TallyDelta | undefined {
    if (!this.changed) return undefined;
    const delta: TallyDelta = {
      outcomes: this.outcomeSeries().map((s) => [s.queue, s.task, s.outcome, s.value]),
      runs: this.runSeries().map((s) => [s.queue, s.task, s.h]),
      waits: [...this.waits],
    };
    this.outcomes.clear();
    this.runs.clear();
    this.waits.clear();
    this.changed = false;
    return delta;
  }

  /** Add a child's delta (a supervisor, on each pulse). */
  merge(delta: TallyDelta): void {
    for (const [queue, task, outcome, n] of delta.outcomes) this.count(queue, task, outcome, n);
    for (const [queue, task, h] of delta.runs) addInto(slot(this.runs, this.pair(queue, task)), h);
    for (const [queue, h] of delta.waits) addInto(slot(this.waits, queue), h);
    this.changed = true;
  }

  /** Series for /metrics. */
  outcomeSeries(): Array<{ queue: string; task: string; outcome: JobOutcomeKind; value: number }> {
    const out: Array<{ queue: string; task: string; outcome: JobOutcomeKind; value: number }> = [];
    for (const [k, counts] of this.outcomes) {
      const [queue, task] = k.split(SEP) as [string, string];
      for (const outcome of JOB_OUTCOMES) {
        const value = counts[outcome];
        if (value !== undefined) out.push({ queue, task, outcome, value });
      }
    }
    return out;
  }

  runSeries(): Array<{ queue: string; task: string; h: HistogramCounts }> {
    return [...this.runs].map(([k, h]) => {
      const [queue, task] = k.split(SEP) as [string, string];
      return { queue, task, h };
    });
  }
}

function slot(map: Map<string, HistogramCounts>, k: string): HistogramCounts {
  let h = map.get(k);
  if (!h) map.set(k, (h = emptyHistogram()));
  return h;
}

function observe(map: Map<string, HistogramCounts>, k: string, seconds: number): void {
  const h = slot(map, k);
  h.buckets[bucketIndex(seconds)]! += 1;
  h.sum += seconds;
}

/** This process's tally. */
export const jobTally = new JobTally();

/** What ended, for recordJobEnd: the job as the caller holds it. */
export interface EndedJob {
  queue: string;
  method: string;
  startedAt?: number;
  enqueuedAt?: number;
}

/**
 * Record one ended attempt. `ran`: the task ran to an end here (finished, failed, timed out), so
 * its run and wait times count; a job abandoned or canceled before it ran counts only once.
 */
export function recordJobEnd(now: number, job: EndedJob, outcomes: readonly JobOutcomeKind[], ran: boolean): void {
  if (!METRICS_ON) return;
  for (let i = 0; i < outcomes.length; i++) jobTally.count(job.queue, job.method, outcomes[i]!);
  if (!ran || job.startedAt === undefined) return;
  jobTally.observeRun(job.queue, job.method, Math.max(0, now - job.startedAt) / 1000);
  if (job.enqueuedAt !== undefined) jobTally.observeWait(job.queue, Math.max(0, job.startedAt - job.enqueuedAt) / 1000);
}
