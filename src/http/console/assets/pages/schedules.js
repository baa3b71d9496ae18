// Schedules: every scheduled task with its next fires (DST changes named), last runs from the
// fire ledger (lateness, outcome, why skipped) and counters; trigger now; the whole
// scheduler's pause/resume; per-schedule pause with a note and backfill when the server has them.
import { useState } from "preact/hooks";
import { api, html, usePoll, Time, fmtDuration, ErrorLine, Loading, Action, post, meta, shown, JobLink } from "../lib.js";

function outcome(r) {
  const times = r.count > 1 ? ` x${r.count}${r.capped ? "+" : ""}` : "";
  if (r.outcome === "enqueued") return html`enqueued ${r.jobId ? html`<${JobLink} id=${r.jobId} />` : null}${r.catchup ? " (catch-up)" : ""}`;
  if (r.outcome === "missed") return `missed${times}`;
  return `skipped${times}: ${r.reason ?? "?"}${r.runningJobId ? ` (${r.runningJobId} still live)` : ""}`;
}

function Fires({ next }) {
  if (next.length === 0) return html`<span class="muted">never</span>`;
  return html`<details><summary><${Time} ms=${next[0].at} />${next[0].dst ? html` <span class="badge warn">${next[0].dst}</span>` : null}</summary>
    <ol>${next.map((f) => html`<li><${Time} ms=${f.at} /> <span class="muted small">${f.offset}</span>${f.dst ? html` <span class="badge warn">${f.dst}</span>` : null}</li>`)}</ol>
  </details>`;
}

function Runs({ runs }) {
  if (runs.length === 0) return html`<span class="muted">not fired yet</span>`;
  return html`<details><summary><${Time} ms=${runs[0].slot} /> ${outcome(runs[0])}</summary>
    <table class="inner"><thead><tr><th scope="col">slot</th><th scope="col">outcome</th><th scope="col">late</th></tr></thead>
    <tbody>${runs.map((r) => html`<tr><td><${Time} ms=${r.slot} /></td><td>${outcome(r)}</td><td>${r.latenessMs === undefined ? "-" : fmtDuration(r.latenessMs)}</td></tr>`)}</tbody></table>
  </details>`;
}

/** What one override says differs from the hooks file, and since when / by whom. */
function overrideText(o) {
  if (o.kind === "paused") return `paused ${o.cause === "failures" ? "after failures" : `by ${o.by}`}${o.note ? ` (${o.note})` : ""}; the hooks file does not pause it`;
  if (o.kind === "not-installed") return "in this hooks file, not in what the running daemons were given (reload them)";
  return `${o.field}: the daemons run ${o.running}, the hooks file says ${o.hooks}`;
}

// Overrides: what Redis holds that differs from the hooks file (ops/schedule-overrides.ts).
function Overrides({ list }) {
  if (!list || list.length === 0) return null;
  return html`<ul class="plain small overrides" data-testid="overrides">${list.map(
    (o) => html`<li data-kind=${o.kind}><span class="badge warn">override</span> ${shown(overrideText(o))} <span class="muted">since <${Time} ms=${o.since} /></span></li>`,
  )}</ul>`;
}

function PauseControl({ task, onDone }) {
  const [note, setNote] = useState("");
  if (!meta.features.scheduleControls || meta.readOnly) return null;
  if (task.pause && task.pause.paused) {
    return html`<${Action} label="Resume" testid="schedule-resume" run=${() => post("/api/schedules/resume", { task: task.id })} onDone=${onDone} />`;
  }
  return html`<span class="inline-form"><input aria-label=${`note for pausing ${task.method}`} placeholder="note" value=${note} onInput=${(e) => setNote(e.currentTarget.value)} />
    <${Action} label="Pause" testid="schedule-pause" run=${() => post("/api/schedules/pause", { task: task.id, note })} onDone=${onDone} /></span>`;
}

function Backfill({ task }) {
  const [range, setRange] = useState({ from: "", to: "" });
  const [plan, setPlan] = useState(undefined);
  const [error, setError] = useState(undefined);
  if (!meta.features.scheduleControls || meta.readOnly) return null;
  const body = (dryRun) => ({ task: task.id, from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), dryRun });
  const preview = async () => {
    setError(undefined);
    try {
      setPlan(await post("/api/schedules/backfill", body(true)));
    } catch (err) {
      setError(err);
    }
  };
  return html`<details><summary>Backfill</summary>
    <label>from <input type="datetime-local" value=${range.from} onInput=${(e) => setRange({ ...range, from: e.currentTarget.value })} /></label>
    <label>to <input type="datetime-local" value=${range.to} onInput=${(e) => setRange({ ...range, to: e.currentTarget.value })} /></label>
    <button type="button" onClick=${preview}>Preview (dry run)</button>
    <${ErrorLine} error=${error} />
    ${plan && !plan.enqueued
      ? html`<p>${plan.slots.length} slot(s): ${plan.slots.slice(0, 10).map((s) => html`<${Time} ms=${s} /> `)}${plan.slots.length > 10 ? "..." : ""}</p>
        <${Action} label=${`Enqueue ${plan.slots.length} slot(s)`} confirm=${`Enqueue ${plan.slots.length} run(s) of ${task.method}?`} run=${() => post("/api/schedules/backfill", body(false))} onDone=${setPlan} />`
      : plan
        ? html`<p>enqueued ${plan.slots.length} run(s)</p>`
        : null}
  </details>`;
}

export function SchedulesPage() {
  const { data, error, reload } = usePoll(() => api("/api/schedules"), "schedules", 3000);
  const [note, setNote] = useState(undefined);
  if (!data) return error ? html`<${ErrorLine} error=${error} />` : html`<${Loading} what="schedules" />`;
  const s = data.scheduler;
  return html`<div>
    <h1>Schedules</h1>
    <${ErrorLine} error=${error} />
    <p>Scheduler: <span class=${`badge ${s.state === "running" ? "ok" : "warn"}`} data-testid="scheduler-state">${s.state}</span>
      ${s.paused
        ? html`<${Action} label="Resume scheduler" testid="scheduler-resume" run=${() => post("/api/scheduler/resume")} onDone=${reload} />`
        : html`<${Action} label="Pause scheduler" testid="scheduler-pause" confirm="Pause the scheduler? No scheduled task fires until it is resumed (workers go on)." run=${() => post("/api/scheduler/pause")} onDone=${reload} />`}
    </p>
    ${note ? html`<p class="ok" role="status">${note}</p>` : null}
    ${data.tasks.length === 0
      ? html`<p class="muted">no scheduled tasks in the hooks file</p>`
      : html`<div class="scroll"><table>
      <thead><tr><th scope="col">task</th><th scope="col">schedule</th><th scope="col">queue</th><th scope="col">next fires (${data.zone})</th><th scope="col">last runs</th><th scope="col">counts</th><th scope="col">actions</th></tr></thead>
      <tbody>${data.tasks.map(
        (t) => html`<tr data-task=${t.id}>
          <th scope="row" class="mono">${shown(t.method)}${t.pause && t.pause.paused ? html` <span class="badge warn" title=${t.pause.note || ""}>paused${t.pause.note ? `: ${t.pause.note}` : ""}</span>` : null}<${Overrides} list=${t.overrides} /></th>
          <td><span class="mono">${t.expression}</span><br /><span class="muted small">${t.event}</span></td>
          <td>${t.queue}</td>
          <td><${Fires} next=${t.next} /></td>
          <td><${Runs} runs=${t.runs} /></td>
          <td class="small">${t.counters.enqueued} enqueued · ${t.counters.skipped} skipped · ${t.counters.missed} missed</td>
          <td>
            <${Action} label="Trigger now" testid="trigger" run=${() => post("/api/schedules/trigger", { task: t.id })} onDone=${(r) => { setNote(`enqueued ${t.method} as ${r.jobId}`); reload(); }} />
            <${PauseControl} task=${t} onDone=${reload} />
            <${Backfill} task=${t} />
          </td>
        </tr>`,
      )}</tbody></table></div>`}
  </div>`;
}
