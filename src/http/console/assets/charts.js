// Charts (uPlot, loaded as /assets/vendor/uPlot.iife.min.js) and the metrics history reader:
// GET /api/metrics/history answers 404 until the server has it, which the pages show as
// "no history yet". Percentiles come from the histogram buckets, as Prometheus'
// histogram_quantile does (linear inside the bucket that holds the rank).
import { useEffect, useRef } from "preact/hooks";
import { api, html, HttpError, meta, query } from "./lib.js";

/** null when the server has no history (404); the history otherwise. */
export async function loadHistory(params) {
  // Not asked for when the server says it has none, so the browser logs no failed request.
  if (!meta.features.metricsHistory) return null;
  try {
    return await api(`/api/metrics/history${query(params)}`);
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) return null;
    throw err;
  }
}

/** The p-quantile (0..1) in seconds of one histogram (counts per bucket, upper bounds in s). */
export function quantile(bounds, counts, p) {
  const total = counts.reduce((a, b) => a + b, 0);
  if (!total) return null;
  const rank = p * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const before = seen;
    seen += counts[i];
    if (seen >= rank) {
      const lower = i === 0 ? 0 : bounds[i - 1];
      const upper = i < bounds.length ? bounds[i] : bounds[bounds.length - 1];
      if (!counts[i] || upper === undefined) return upper ?? lower;
      return lower + ((upper - lower) * (rank - before)) / counts[i];
    }
  }
  return bounds[bounds.length - 1] ?? null;
}

/** Bucket counts may be cumulative (le) or per bucket; the API sends per bucket. */
export function seriesOf(history) {
  const t = history.points.map((p) => p.t / 1000);
  const pick = (f) => history.points.map(f);
  return {
    t,
    completed: pick((p) => p.completed),
    failed: pick((p) => p.failed),
    runP50: pick((p) => quantile(history.bucketBounds, p.runBuckets, 0.5)),
    runP95: pick((p) => quantile(history.bucketBounds, p.runBuckets, 0.95)),
    runP99: pick((p) => quantile(history.bucketBounds, p.runBuckets, 0.99)),
    waitP50: pick((p) => quantile(history.bucketBounds, p.waitBuckets, 0.5)),
    waitP95: pick((p) => quantile(history.bucketBounds, p.waitBuckets, 0.95)),
  };
}

const COLORS = ["#2b7bd6", "#d64541", "#3aa657", "#c77c1e", "#8e44ad"];

/** A uPlot chart; `series` are [label, values] pairs over the x values `x` (unix seconds). */
export function Chart({ title, x, series, height = 180, sparkline = false, label }) {
  const box = useRef(null);
  const plot = useRef(null);
  useEffect(() => {
    const uPlot = window.uPlot;
    if (!uPlot || !box.current) return undefined;
    const width = Math.max(120, box.current.clientWidth || (sparkline ? 160 : 600));
    const opts = {
      width,
      height,
      title: sparkline ? undefined : title,
      legend: { show: !sparkline },
      cursor: { show: !sparkline },
      axes: sparkline ? [{ show: false }, { show: false }] : [{}, { size: 60 }],
      scales: { x: { time: true } },
      series: [{}, ...series.map(([name], i) => ({ label: name, stroke: COLORS[i % COLORS.length], width: sparkline ? 1.5 : 2, spanGaps: true }))],
    };
    plot.current?.destroy();
    plot.current = new uPlot(opts, [x, ...series.map(([, values]) => values)], box.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [JSON.stringify([x, series]), height, sparkline]);
  // What is plotted, per series [label, points with a value, their sum]: for scripts and tests,
  // which cannot reach the uPlot instance.
  const plotted = JSON.stringify(series.map(([name, values]) => {
    const set = values.filter((v) => v !== null && v !== undefined && Number.isFinite(v));
    return [name, set.length, set.reduce((a, b) => a + b, 0)];
  }));
  return html`<div class=${sparkline ? "sparkline" : "chart"} ref=${box} role="img" aria-label=${label || title} data-series=${plotted}></div>`;
}
