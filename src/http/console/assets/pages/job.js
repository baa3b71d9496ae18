// Job detail: kwargs (redacted keys masked by the server), status, progress, every attempt with
// its error and stack, links to parent, children and dependencies, the job's log lines; retry,
// cancel (a running job too) and delete.
import { api, html, usePoll, Time, fmtDuration, ErrorLine, Loading, Action, post, shown, JobLink, navigate } from "../lib.js";

const FINAL = ["finished", "failed", "canceled"];

function Links({ title, items }) {
  if (!items || items.length === 0) return null;
  return html`<section><h2>${title}</h2><ul>${items.map((l) => html`<li><${JobLink} id=${l.id} /> <span class="muted">${l.method ? shown(l.method) : ""} ${l.status ?? "gone"}</span></li>`)}</ul></section>`;
}

function Progress({ p }) {
  if (!p) return null;
  return html`<section><h2>Progress</h2>
    <progress max="100" value=${p.percent} aria-label="progress">${p.percent}%</progress> ${Math.round(p.percent)}%
    ${p.title ? html`<p><strong>${shown(p.title)}</strong></p>` : null}${p.description ? html`<p>${shown(p.description)}</p>` : null}
  </section>`;
}

export function JobPage({ id }) {
  const path = `/api/jobs/${encodeURIComponent(id)}`;
  const { data, error, reload } = usePoll(() => api(path), id, 1000);
  if (!data) return error ? html`<div><h1 class="mono">${shown(id)}</h1><${ErrorLine} error=${error} /></div>` : html`<${Loading} what="job" />`;
  const j = data.job;
  const act = (what) => () => post(`${path}/${what}`);
  return html`<div>
    <h1 class="mono" data-testid="job-id">${shown(j.id)}</h1>
    <${ErrorLine} error=${error} />
    <p><span class=${`badge ${j.status}`} data-testid="job-status">${j.status}</span> <span class="mono">${shown(j.method)}</span> on <strong>${shown(j.queue)}</strong>
      · attempt ${j.attempt}${j.retry ? ` of ${j.retry.max + 1}` : ""}
      ${j.cancelRequested ? html` · <span class="badge warn">cancel requested</span>` : null}</p>
    <p class="actions">
      ${j.status === "failed" || j.status === "canceled" ? html`<${Action} label="Retry" testid="retry" run=${act("retry")} onDone=${reload} />` : null}
      ${!FINAL.includes(j.status) && !j.cancelRequested ? html`<${Action} label="Cancel" testid="cancel" confirm=${`Cancel job ${shown(j.id)}${j.status === "started" ? " (it is running: its worker stops it)" : ""}?`} run=${act("cancel")} onDone=${reload} />` : null}
      ${j.status !== "started" ? html`<${Action} label="Delete" danger testid="delete" confirm=${`Delete job ${shown(j.id)} for good?`} run=${act("delete")} onDone=${() => navigate("/jobs")} />` : null}
    </p>
    <dl class="facts">
      <dt>created</dt><dd><${Time} ms=${j.createdAt} /></dd>
      <dt>enqueued</dt><dd><${Time} ms=${j.enqueuedAt} /></dd>
      ${j.scheduledAt ? html`<dt>run at</dt><dd><${Time} ms=${j.scheduledAt} /></dd>` : null}
      <dt>started</dt><dd><${Time} ms=${j.startedAt} /></dd>
      <dt>ended</dt><dd><${Time} ms=${j.endedAt} /></dd>
      <dt>timeout</dt><dd>${j.timeout} s${data.timeoutAt ? html` (at <${Time} ms=${data.timeoutAt} />)` : null}</dd>
      ${j.worker ? html`<dt>worker</dt><dd class="mono">${shown(j.worker)}</dd>` : null}
      ${j.task ? html`<dt>scheduled task</dt><dd class="mono">${shown(j.task)}${j.scheduledFor ? html` slot <${Time} ms=${j.scheduledFor} />` : null}</dd>` : null}
      ${j.cancelReason ? html`<dt>cancel reason</dt><dd>${shown(j.cancelReason)}</dd>` : null}
      ${data.traceId ? html`<dt>trace id</dt><dd class="mono" data-testid="trace-id">${shown(data.traceId)}</dd>` : null}
    </dl>
    <${Progress} p=${j.progress} />
    <section><h2>kwargs</h2><pre data-testid="kwargs">${JSON.stringify(j.kwargs, null, 2)}</pre></section>
    ${j.result !== undefined ? html`<section><h2>Result</h2><pre>${JSON.stringify(j.result, null, 2)}</pre></section>` : null}
    ${j.error ? html`<section><h2>Error</h2><p class="error">${shown(j.error.name)}: ${shown(j.error.message)}</p>${j.error.stack ? html`<pre class="stack">${j.error.stack}</pre>` : null}</section>` : null}
    <section><h2>Attempts</h2>
      ${data.attempts.length === 0
        ? html`<p class="muted">not run yet</p>`
        : html`<table><thead><tr><th scope="col">#</th><th scope="col">worker</th><th scope="col">started</th><th scope="col">took</th><th scope="col">outcome</th><th scope="col">error</th></tr></thead>
        <tbody>${data.attempts.map((a) => html`<tr><td>${a.attempt}</td><td class="mono">${shown(a.worker)}</td><td><${Time} ms=${a.startedAt} /></td><td>${a.endedAt ? fmtDuration(a.endedAt - a.startedAt) : "-"}</td><td>${a.outcome}${a.reason ? ` (${shown(a.reason)})` : ""}</td>
          <td>${a.error ? html`<details><summary>${shown(a.error.message)}</summary><pre class="stack">${a.error.stack ?? ""}</pre></details>` : ""}</td></tr>`)}</tbody></table>`}
    </section>
    <${Links} title="Enqueued by" items=${data.parent ? [data.parent] : []} />
    <${Links} title="Waits on" items=${data.dependsOn} />
    <${Links} title="Jobs waiting on it" items=${data.dependents} />
    <${Links} title="Children" items=${data.children} />
    <section><h2>Log</h2>
      ${data.events.length === 0
        ? html`<p class="muted">no events left in the stream for this job</p>`
        : html`<ol class="log">${data.events.map((e) => html`<li class=${`level-${e.level}`}><${Time} ms=${e.at} /> <span class="badge">${e.type}</span> ${shown(e.msg)}</li>`)}</ol>`}
    </section>
  </div>`;
}
