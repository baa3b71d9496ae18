// Overview: per queue counts, oldest queued age, workers busy/idle, failures of the last hour
// with sparklines from the metrics history; the scheduler's state and leader; doctor's warnings.
import { api, html, usePoll, Time, fmtDuration, ErrorLine, Loading, JobLink, shown, Link, query } from "../lib.js";
import { Chart, loadHistory } from "../charts.js";

const STATES = ["queued", "started", "scheduled", "deferred", "failed", "finished", "canceled"];

function Sparkline({ queue }) {
  const { data, error } = usePoll(
    () => {
      const to = Date.now();
      return loadHistory({ queue, from: to - 3_600_000, to, step: 60 });
    },
    queue,
    60_000,
  );
  if (error) return html`<span class="muted small">history unavailable</span>`;
  if (data === undefined) return html`<span class="muted small">...</span>`;
  if (data === null || data.points.length === 0) return html`<span class="muted small">no history yet</span>`;
  const x = data.points.map((p) => p.t / 1000);
  return html`<${Chart} sparkline height=${32} x=${x} label=${`throughput and failures of ${queue}, last hour`}
    series=${[["completed", data.points.map((p) => p.completed)], ["failed", data.points.map((p) => p.failed)]]} />`;
}

function Scheduler({ s }) {
  const cls = s.state === "running" ? "ok" : "warn";
  return html`<section class="card">
    <h2>Scheduler</h2>
    <p><span class=${`badge ${cls}`} data-testid="scheduler-state">${s.state}</span>
      ${s.by ? html` <span class="muted">by ${shown(s.by)} at <${Time} ms=${s.changedAt} /></span>` : null}</p>
    <p>Leader: ${s.leader ? html`<span class="mono">${shown(s.leader)}</span>` : html`<span class="muted">none</span>`}
      ${s.lastTick ? html` · last tick <${Time} ms=${s.lastTick} />` : null}</p>
  </section>`;
}

export function OverviewPage() {
  const { data, error } = usePoll(() => api("/api/overview"), "overview", 2000);
  if (!data) return error ? html`<${ErrorLine} error=${error} />` : html`<${Loading} what="overview" />`;
  return html`<div>
    <h1>Overview</h1>
    <${ErrorLine} error=${error} />
    ${data.warnings.length
      ? html`<section class="warnings" role="status" aria-label="warnings"><ul>${data.warnings.map((w) => html`<li>${w}</li>`)}</ul></section>`
      : null}
    <div class="cards">
      <${Scheduler} s=${data.scheduler} />
      <section class="card"><h2>Workers</h2><p><strong>${data.workers}</strong> alive · <${Link} href="/workers">details<//></p></section>
      <section class="card"><h2>Redis</h2><p>${data.redis.version ? `v${data.redis.version}` : ""} ${data.redis.usedMemoryHuman ?? ""}</p><p class="small">${data.redis.persistence}</p></section>
    </div>
    <h2>Queues</h2>
    <div class="scroll"><table>
      <thead><tr><th scope="col">queue</th>${STATES.map((s) => html`<th scope="col" class="num">${s}</th>`)}<th scope="col">oldest queued</th><th scope="col">workers busy/idle</th><th scope="col" class="num">failed 1 h</th><th scope="col">last hour</th></tr></thead>
      <tbody>${data.queues.map(
        (q) => html`<tr>
          <th scope="row">${shown(q.name)}</th>
          ${STATES.map((s) => html`<td class="num"><${Link} href=${`/jobs${query({ queue: q.name, state: s })}`}>${q.counts[s] ?? 0}<//></td>`)}
          <td>${q.oldestQueuedAgeMs === undefined ? "-" : fmtDuration(q.oldestQueuedAgeMs)}</td>
          <td>${q.busyWorkers}/${q.idleWorkers}</td>
          <td class="num">${q.failedLastHour}</td>
          <td><${Sparkline} queue=${q.name} /></td>
        </tr>`,
      )}</tbody>
    </table></div>
    <h2>Failures of the last hour</h2>
    ${data.failures.length === 0
      ? html`<p class="muted">none</p>`
      : html`<table><thead><tr><th scope="col">job</th><th scope="col">task</th><th scope="col">queue</th><th scope="col">ended</th><th scope="col">error</th></tr></thead>
        <tbody>${data.failures.map((f) => html`<tr><td><${JobLink} id=${f.id} /></td><td class="mono">${shown(f.method)}</td><td>${shown(f.queue)}</td><td><${Time} ms=${f.endedAt} /></td><td>${shown(f.error)}</td></tr>`)}</tbody></table>`}
  </div>`;
}
