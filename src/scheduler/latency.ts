/** A ring of the last N latencies (ms) with p50/p99/max, for the scheduler's precision figures. */
export interface LatencySummary {
  count: number;
  p50?: number;
  p99?: number;
  max?: number;
}

export class LatencyStats {
  private readonly values: number[] = [];
  private next = 0;
  constructor(private readonly capacity: number) {}

  add(ms: number): void {
    if (this.values.length < this.capacity) this.values.push(ms);
    else this.values[this.next] = ms;
    this.next = (this.next + 1) % this.capacity;
  }

  summary(): LatencySummary {
    return summarize(this.values);
  }
}

/** Nearest-rank percentiles. */
export function summarize(values: number[]): LatencySummary {
  if (values.length === 0) return { count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { count: sorted.length, p50: rank(50), p99: rank(99), max: sorted[sorted.length - 1]! };
}
