// Live: the event stream as it happens (server-sent events from /api/events/stream), filtered
// like `scheduler logs -f --queue --job --level`; the recent history first, then each new event.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, html, Time, ErrorLine, shown, JobLink, query, meta } from "../lib.js";

/** Events kept on the page; older ones drop off the bottom. */
const KEPT = 500;

export function LivePage() {
  const [draft, setDraft] = useState({ queue: "", job: "", level: "", type: "" });
  const [filter, setFilter] = useState(draft);
  const [events, setEvents] = useState([]);
  const [status, setStatus] = useState("connecting");
  const [error, setError] = useState(undefined);
  const [paused, setPaused] = useState(false);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  useEffect(() => {
    let source;
    let closed = false;
    setEvents([]);
    setError(undefined);
    api(`/api/events${query({ ...filter, count: 50 })}`)
      .then((recent) => {
        if (closed) return;
        setEvents(recent.events.slice().reverse());
        source = new EventSource(`/api/events/stream${query({ ...filter, after: recent.tail })}`);
        source.onopen = () => setStatus("live");
        source.onerror = () => setStatus("reconnecting");
        source.addEventListener("event", (m) => {
          if (pausedRef.current) return;
          const e = JSON.parse(m.data);
          setEvents((list) => [e, ...list].slice(0, KEPT));
        });
      })
      .catch(setError);
    return () => {
      closed = true;
      if (source) source.close();
    };
  }, [JSON.stringify(filter)]);
  const set = (name) => (e) => setDraft({ ...draft, [name]: e.currentTarget.value });
  return html`<div>
    <h1>Live</h1>
    <form class="filters" role="search" onSubmit=${(e) => { e.preventDefault(); setFilter(draft); }}>
      <label>queue <select value=${draft.queue} onChange=${set("queue")}><option value="">all</option>${meta.queues.map((q) => html`<option value=${q}>${q}</option>`)}</select></label>
      <label>job <input value=${draft.job} onInput=${set("job")} /></label>
      <label>level <select value=${draft.level} onChange=${set("level")}><option value="">any</option>${["debug", "info", "warn", "error"].map((l) => html`<option value=${l}>${l}+</option>`)}</select></label>
      <label>type <input value=${draft.type} onInput=${set("type")} placeholder="job. or job.failed" /></label>
      <button type="submit">Apply</button>
      <button type="button" aria-pressed=${paused} onClick=${() => setPaused(!paused)}>${paused ? "Resume" : "Pause"}</button>
    </form>
    <p class="muted small" data-testid="live-status" role="status">${status}</p>
    <${ErrorLine} error=${error} />
    <ol class="log" data-testid="events" aria-live="polite">${events.map(
      (e) => html`<li class=${`level-${e.level}`} key=${e.id}><${Time} ms=${e.at} /> <span class="badge">${e.type}</span>
        ${e.queue ? html`<span class="muted">${shown(e.queue)}</span> ` : null}${e.jobId ? html`<${JobLink} id=${e.jobId} /> ` : null}${shown(e.msg)}</li>`,
    )}</ol>
  </div>`;
}
