// Metrics: throughput, failures and run/wait percentiles per queue over 1 h / 24 h / 7 d from
// the metrics history, and the lateness of recent schedule fires from the fire ledger.
import { useState } from "preact/hooks";
import { api, html, usePoll, ErrorLine, Loading, meta } from "../lib.js";
import { Chart, loadHistory, seriesOf } from "../charts.js";

const RANGES = [
  ["1h", 3_600_000, 60],
  ["24h", 86_400_000, 900],
  ["7d", 7 * 86_400_000, 3600],
];

function History({ queue, range }) {
  const [, span, step] = RANGES.find(([name]) => name === range);
  const { data, error } = usePoll(
    () => {
      const to = Date.now();
      return loadHistory({ queue, from: to - span, to, step });
    },
    `${queue}|${range}`,
    30_000,
  );
  if (error) return html`<${ErrorLine} error=${error} />`;
  if (data === undefined) return html`<${Loading} what="history" />`;
  if (data === null || data.points.length === 0) return html`<p class="muted" data-testid="no-history">no history yet</p>`;
  const s = seriesOf(data);
  return html`<div>
    <${Chart} title=${`${queue}: jobs per ${step} s`} x=${s.t} series=${[["completed", s.completed], ["failed", s.failed]]} />
    <${Chart} title=${`${queue}: run time (s)`} x=${s.t} series=${[["p50", s.runP50], ["p95", s.runP95], ["p99", s.runP99]]} />
    <${Chart} title=${`${queue}: wait time (s)`} x=${s.t} series=${[["p50", s.waitP50], ["p95", s.waitP95]]} />
  </div>`;
}

function Lateness() {
  const { data, error } = usePoll(() => api("/api/schedules?runs=50"), "lateness", 30_000);
  if (error) return html`<${ErrorLine} error=${error} />`;
  if (!data) return html`<${Loading} what="schedules" />`;
  const rows = data.tasks.flatMap((t) => t.runs.filter((r) => r.latenessMs !== undefined).map((r) => [r.slot / 1000, r.latenessMs / 1000]));
  if (rows.length === 0) return html`<p class="muted">no enqueued fires recorded yet</p>`;
  rows.sort((a, b) => a[0] - b[0]);
  return html`<${Chart} title="schedule lateness (s), every task" x=${rows.map((r) => r[0])} series=${[["lateness", rows.map((r) => r[1])]]} />`;
}

export function MetricsPage() {
  const [range, setRange] = useState("1h");
  const [queue, setQueue] = useState(meta.queues[0] ?? "default");
  return html`<div>
    <h1>Metrics</h1>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label>queue <select value=${queue} onChange=${(e) => setQueue(e.currentTarget.value)}>${meta.queues.map((q) => html`<option value=${q}>${q}</option>`)}</select></label>
      <fieldset><legend>range</legend>${RANGES.map(([name]) => html`<label><input type="radio" name="range" value=${name} checked=${range === name} onChange=${() => setRange(name)} /> ${name}</label>`)}</fieldset>
    </form>
    <${History} queue=${queue} range=${range} />
    <h2>Schedule lateness</h2>
    <${Lateness} />
  </div>`;
}
