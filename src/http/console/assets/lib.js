// Shared helpers of the console's pages: the API client, polling, time and text formatting,
// links that route without a reload, and buttons for writes (hidden in read-only mode).
import { h } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import htm from "htm";

export const html = htm.bind(h);

/** Filled by app.js from GET /api/meta before the first page draws. */
export const meta = { zone: "UTC", readOnly: true, queues: [], tasks: [], features: {} };

export class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(path, options = {}) {
  const init = { headers: { accept: "application/json" }, credentials: "same-origin" };
  if (options.body !== undefined) {
    init.method = "POST";
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = data && data.error ? data.error : {};
    throw new HttpError(res.status, err.code || `HTTP_${res.status}`, err.message || `${res.status} ${res.statusText}`);
  }
  return data;
}

export const post = (path, body = {}) => api(path, { body });

/** Query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

/**
 * Load `load()` now and every `intervalMs` while the page shows; `key` changes restart it.
 * Keeps the last good data on a failed refresh and reports the error beside it.
 */
export function usePoll(load, key, intervalMs = 2000) {
  const [state, setState] = useState({ data: undefined, error: undefined });
  const loadRef = useRef(load);
  loadRef.current = load;
  const tick = useCallback(async () => {
    try {
      const data = await loadRef.current();
      setState({ data, error: undefined });
    } catch (error) {
      setState((s) => ({ data: s.data, error }));
    }
  }, []);
  useEffect(() => {
    let stopped = false;
    let timer;
    const run = async () => {
      await tick();
      if (!stopped && intervalMs > 0) timer = setTimeout(run, intervalMs);
    };
    setState({ data: undefined, error: undefined });
    run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key, intervalMs]);
  return { ...state, reload: tick };
}

const formatters = new Map();
function formatter(zone) {
  let f = formatters.get(zone);
  if (!f) {
    // sv-SE writes "2026-03-29 02:30:00": unambiguous, sorts as text
    f = new Intl.DateTimeFormat("sv-SE", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    formatters.set(zone, f);
  }
  return f;
}

export function fmtTime(ms) {
  return ms === undefined || ms === null ? "-" : formatter(meta.zone).format(new Date(ms));
}

/** A time in the installation's zone, UTC on hover. */
export function Time({ ms }) {
  if (ms === undefined || ms === null) return html`<span class="muted">-</span>`;
  const iso = new Date(ms).toISOString();
  return html`<time datetime=${iso} title=${`${iso.replace("T", " ").slice(0, 19)} UTC`}>${fmtTime(ms)}</time>`;
}

export function fmtDuration(ms) {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return "-";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Bytes as MB (memory of a process), "-" when unknown. */
export function fmtBytes(bytes) {
  if (bytes === undefined || bytes === null || !Number.isFinite(bytes)) return "-";
  const mb = bytes / (1024 * 1024);
  return mb >= 1024 ? `${(mb / 1024).toFixed(2)} GB` : `${mb.toFixed(mb < 10 ? 1 : 0)} MB`;
}

/** Control characters (ANSI escapes, newlines in ids) shown as \xNN instead of acting. */
export function shown(text) {
  return String(text ?? "").replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

export function navigate(href) {
  if (href === location.pathname + location.search) return;
  history.pushState(null, "", href);
  window.dispatchEvent(new Event("console:navigate"));
}

export function Link({ href, children, ...rest }) {
  const onClick = (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${onClick} ...${rest}>${children}</a>`;
}

export function jobHref(id) {
  return `/jobs/${encodeURIComponent(id)}`;
}

export function JobLink({ id }) {
  return html`<${Link} href=${jobHref(id)} class="mono">${shown(id)}<//>`;
}

export function ErrorLine({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${error.message || String(error)}</p>`;
}

/**
 * A write button: absent in read-only mode; asks `confirm` first when given; shows the
 * server's refusal beside it.
 */
export function Action({ label, confirm: question, run, onDone, danger, testid }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(undefined);
  if (meta.readOnly) return null;
  const click = async () => {
    const q = typeof question === "function" ? await question() : question;
    if (q === false) return;
    if (q && !window.confirm(q)) return;
    setBusy(true);
    setError(undefined);
    try {
      const result = await run();
      if (onDone) onDone(result);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<span class="action"><button type="button" class=${danger ? "danger" : ""} disabled=${busy} onClick=${click} data-testid=${testid}>${label}</button>${error ? html`<span class="error" role="alert">${error.message}</span>` : null}</span>`;
}

export function Loading({ what }) {
  return html`<p class="muted">loading ${what}...</p>`;
}
