// Jobs: one state of one queue (or all), newest first, paged on the server; filters by task,
// time range and text in kwargs (a bounded scan that says how much it searched), search by id;
// bulk retry/delete of the filtered set after confirming its count.
import { useState } from "preact/hooks";
import { api, html, usePoll, Time, ErrorLine, Loading, Action, post, meta, shown, JobLink, query, navigate } from "../lib.js";

const STATES = ["queued", "started", "scheduled", "deferred", "failed", "finished", "canceled"];

function readFilters() {
  const p = new URLSearchParams(location.search);
  return { queue: p.get("queue") || "", state: p.get("state") || "failed", task: p.get("task") || "", q: p.get("q") || "", id: p.get("id") || "", from: p.get("from") || "", to: p.get("to") || "" };
}

/** The filters the API and the address bar take (the date inputs' own text is not one). */
function pick(f) {
  return { queue: f.queue, state: f.state, task: f.task, q: f.q, id: f.id, from: f.from, to: f.to };
}

function toMs(local) {
  return local ? String(new Date(local).getTime()) : "";
}

function Bulk({ filters, onDone }) {
  if (meta.readOnly || filters.state === "started" || filters.id) return null;
  const scope = { state: filters.state, queue: filters.queue, task: filters.task };
  const count = () => api(`/api/jobs/bulk/count${query(scope)}`).then((r) => r.count);
  const act = (action) => async () => {
    const n = await count();
    return post("/api/jobs/bulk", { action, ...scope, expect: n });
  };
  const ask = (verb) => async () => {
    const n = await count();
    if (n === 0) {
      window.alert(`no ${filters.state} jobs match`);
      return false;
    }
    return `${verb} ${n} ${filters.state} job(s)${filters.queue ? ` of queue ${filters.queue}` : ""}${filters.task ? ` of ${filters.task}` : ""}?`;
  };
  const canRetry = filters.state === "failed" || filters.state === "canceled";
  return html`<span class="bulk">
    ${canRetry ? html`<${Action} label="Retry all matching" testid="bulk-retry" confirm=${ask("Retry")} run=${act("retry")} onDone=${onDone} />` : null}
    <${Action} label="Delete all matching" danger testid="bulk-delete" confirm=${ask("Delete")} run=${act("delete")} onDone=${onDone} />
    ${filters.q || filters.from || filters.to ? html`<span class="muted small">bulk actions use queue, state and task only</span>` : null}
  </span>`;
}

export function JobsPage() {
  const [filters, setFilters] = useState(readFilters);
  const [draft, setDraft] = useState(filters);
  const [cursors, setCursors] = useState([undefined]);
  const cursor = cursors[cursors.length - 1];
  const params = { ...pick(filters), cursor };
  const { data, error, reload } = usePoll(() => api(`/api/jobs${query(params)}`), JSON.stringify(params), 3000);
  const apply = (e) => {
    e.preventDefault();
    setFilters(draft);
    setCursors([undefined]);
    navigate(`/jobs${query(pick(draft))}`);
  };
  const set = (name) => (e) => setDraft({ ...draft, [name]: e.currentTarget.value });
  return html`<div>
    <h1>Jobs</h1>
    <form class="filters" onSubmit=${apply} role="search">
      <label>queue <select value=${draft.queue} onChange=${set("queue")}><option value="">all</option>${meta.queues.map((q) => html`<option value=${q}>${q}</option>`)}</select></label>
      <label>state <select value=${draft.state} onChange=${set("state")}>${STATES.map((s) => html`<option value=${s}>${s}</option>`)}</select></label>
      <label>task <input list="tasks" value=${draft.task} onInput=${set("task")} placeholder="dotted.path" /></label>
      <datalist id="tasks">${meta.tasks.map((t) => html`<option value=${t} />`)}</datalist>
      <label>text in kwargs <input type="search" name="q" value=${draft.q} onInput=${set("q")} /></label>
      <label>job id <input name="id" value=${draft.id} onInput=${set("id")} /></label>
      <label>from <input type="datetime-local" value=${draft.fromLocal} onInput=${(e) => setDraft({ ...draft, fromLocal: e.currentTarget.value, from: toMs(e.currentTarget.value) })} /></label>
      <label>to <input type="datetime-local" value=${draft.toLocal} onInput=${(e) => setDraft({ ...draft, toLocal: e.currentTarget.value, to: toMs(e.currentTarget.value) })} /></label>
      <button type="submit">Search</button>
    </form>
    <${ErrorLine} error=${error} />
    ${!data
      ? html`<${Loading} what="jobs" />`
      : html`<div>
        <p class="muted" data-testid="searched">${data.filtered ? `searched ${data.scanned} of ${data.total}` : `${data.total} ${filters.state} job(s)`}
          · showing ${data.jobs.length} <${Bulk} filters=${filters} onDone=${reload} /></p>
        <div class="scroll"><table>
          <thead><tr><th scope="col">job</th><th scope="col">task</th><th scope="col">queue</th><th scope="col">status</th><th scope="col" class="num">attempt</th><th scope="col">last activity</th><th scope="col">error</th></tr></thead>
          <tbody>${data.jobs.map((j) => html`<tr><td><${JobLink} id=${j.id} /></td><td class="mono">${shown(j.method)}</td><td>${shown(j.queue)}</td><td><span class=${`badge ${j.status}`}>${j.status}</span></td><td class="num">${j.attempt}</td><td><${Time} ms=${j.lastActivity} /></td><td>${shown(j.error ?? "")}</td></tr>`)}</tbody>
        </table></div>
        ${data.jobs.length === 0 ? html`<p class="muted">no jobs match</p>` : null}
        <p>${cursors.length > 1 ? html`<button type="button" onClick=${() => setCursors(cursors.slice(0, -1))}>Previous</button> ` : null}
          ${data.nextCursor ? html`<button type="button" onClick=${() => setCursors([...cursors, data.nextCursor])}>${data.filtered ? "Search further" : "Next page"}</button>` : null}</p>
      </div>`}
  </div>`;
}
