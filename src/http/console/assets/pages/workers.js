// Workers: every live worker with its host, pid, queues, state, current jobs' elapsed time
// against their timeout, done/failed counts, memory (RSS of the child and of its supervisor) and
// last heartbeat; the supervisors' restarts.
import { api, html, usePoll, Time, fmtDuration, fmtBytes, ErrorLine, Loading, shown, JobLink } from "../lib.js";

function CurrentJob({ j }) {
  const late = j.elapsedMs !== undefined && j.timeoutMs ? j.elapsedMs / j.timeoutMs : 0;
  return html`<li><${JobLink} id=${j.id} /> <span class="mono small">${shown(j.method ?? "")}</span>
    ${j.elapsedMs !== undefined ? html` <span class=${late > 0.8 ? "warn" : ""}>${fmtDuration(j.elapsedMs)} of ${fmtDuration(j.timeoutMs)}</span>` : null}
    ${j.timeoutMs ? html` <meter min="0" max="1" high="0.8" value=${Math.min(1, late)} aria-label="elapsed against timeout"></meter>` : null}</li>`;
}

export function WorkersPage() {
  const { data, error } = usePoll(() => api("/api/workers"), "workers", 2000);
  if (!data) return error ? html`<${ErrorLine} error=${error} />` : html`<${Loading} what="workers" />`;
  return html`<div>
    <h1>Workers</h1>
    <${ErrorLine} error=${error} />
    ${data.workers.length === 0
      ? html`<p class="muted">no worker is alive</p>`
      : html`<div class="scroll"><table>
      <thead><tr><th scope="col">worker</th><th scope="col">host / pid</th><th scope="col">queues</th><th scope="col">state</th><th scope="col">current jobs</th><th scope="col" class="num">done</th><th scope="col" class="num">failed</th><th scope="col" class="num">RSS</th><th scope="col">up</th><th scope="col">heartbeat</th></tr></thead>
      <tbody>${data.workers.map(
        (w) => html`<tr>
          <th scope="row" class="mono">${shown(w.name)}</th>
          <td>${shown(w.host)} / ${w.pid} <span class="muted small">(supervisor ${w.supervisorPid})</span></td>
          <td>${w.queues.map(shown).join(", ")}</td>
          <td><span class=${`badge ${w.state}`}>${w.state}</span></td>
          <td>${w.jobs.length ? html`<ul class="plain">${w.jobs.map((j) => html`<${CurrentJob} j=${j} />`)}</ul>` : html`<span class="muted">-</span>`}</td>
          <td class="num">${w.done}</td><td class="num">${w.failed}</td>
          <td class="num" data-testid="rss" data-bytes=${w.rss ?? ""} title=${w.supervisorRss ? `supervisor ${fmtBytes(w.supervisorRss)}` : ""}>${fmtBytes(w.rss)}${w.supervisorRss ? html`<br /><span class="muted small" data-testid="supervisor-rss">sup. ${fmtBytes(w.supervisorRss)}</span>` : null}</td>
          <td>${fmtDuration(w.ageMs)}</td>
          <td><${Time} ms=${w.lastHeartbeat} /> <span class="muted small">(${fmtDuration(w.sinceHeartbeatMs)} ago)</span></td>
        </tr>`,
      )}</tbody></table></div>`}
    <h2>Restarts and deaths</h2>
    ${data.restarts.length === 0
      ? html`<p class="muted">none in the events stream</p>`
      : html`<ol class="log">${data.restarts.map((e) => html`<li class=${`level-${e.level}`}><${Time} ms=${e.at} /> <span class="badge">${e.type}</span> ${shown(e.msg)}</li>`)}</ol>`}
  </div>`;
}
