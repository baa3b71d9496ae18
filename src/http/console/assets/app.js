// The console's shell: asks for the token when the server wants one, loads /api/meta, then
// draws the navigation and the page for the current path (client-side routing, no reloads).
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, html, HttpError, Link, meta, post, ErrorLine } from "./lib.js";
import { OverviewPage } from "./pages/overview.js";
import { SchedulesPage } from "./pages/schedules.js";
import { JobsPage } from "./pages/jobs.js";
import { JobPage } from "./pages/job.js";
import { WorkersPage } from "./pages/workers.js";
import { LivePage } from "./pages/live.js";
import { MetricsPage } from "./pages/metrics.js";

const NAV = [
  ["/", "Overview"],
  ["/schedules", "Schedules"],
  ["/jobs", "Jobs"],
  ["/workers", "Workers"],
  ["/live", "Live"],
  ["/charts", "Metrics"],
];

function route(path) {
  if (path === "/") return html`<${OverviewPage} />`;
  if (path === "/schedules") return html`<${SchedulesPage} />`;
  if (path === "/jobs") return html`<${JobsPage} />`;
  if (path.startsWith("/jobs/")) return html`<${JobPage} id=${decodeURIComponent(path.slice("/jobs/".length))} />`;
  if (path === "/workers") return html`<${WorkersPage} />`;
  if (path === "/live") return html`<${LivePage} />`;
  if (path === "/charts") return html`<${MetricsPage} />`;
  return html`<p>No page here. <${Link} href="/">Overview<//></p>`;
}

function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    window.addEventListener("popstate", update);
    window.addEventListener("console:navigate", update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener("console:navigate", update);
    };
  }, []);
  return path;
}

function SignIn({ onDone }) {
  const [error, setError] = useState(undefined);
  const submit = async (e) => {
    e.preventDefault();
    const token = new FormData(e.currentTarget).get("token");
    try {
      await post("/api/session", { token });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return html`<main class="signin">
    <h1>hooks-scheduler console</h1>
    <form onSubmit=${submit}>
      <label>Token <input name="token" type="password" autocomplete="current-password" required autofocus /></label>
      <button type="submit">Sign in</button>
    </form>
    <p class="muted">The daemon was started with --http-token (or SCHEDULER_HTTP_TOKEN). It is kept in an HttpOnly cookie for this site only.</p>
    <${ErrorLine} error=${error} />
  </main>`;
}

function Shell() {
  const path = usePath();
  useEffect(() => {
    const name = NAV.find(([href]) => (href === "/" ? path === "/" : path.startsWith(href)));
    document.title = `${name ? name[1] : "Console"} - hooks-scheduler`;
  }, [path]);
  return html`<div class="layout">
    <header>
      <nav aria-label="console">
        <strong class="brand">hooks-scheduler</strong>
        ${NAV.map(([href, label]) => {
          const current = href === "/" ? path === "/" : path.startsWith(href);
          return html`<${Link} href=${href} aria-current=${current ? "page" : undefined}>${label}<//>`;
        })}
      </nav>
      <span class="muted small">prefix ${meta.prefix} · times in ${meta.zone}${meta.readOnly ? " · read-only" : ""}</span>
    </header>
    <main>${route(path)}</main>
  </div>`;
}

function App() {
  const [phase, setPhase] = useState({ name: "loading" });
  const start = async () => {
    try {
      // one round trip when signed in (or no token is needed); 401 means: ask for the token
      Object.assign(meta, await api("/api/meta"));
      setPhase({ name: "ready" });
    } catch (error) {
      if (error instanceof HttpError && error.status === 401) return setPhase({ name: "signin" });
      setPhase({ name: "failed", error });
    }
  };
  useEffect(() => {
    start();
  }, []);
  if (phase.name === "loading") return html`<p class="muted">loading...</p>`;
  if (phase.name === "signin") return html`<${SignIn} onDone=${start} />`;
  if (phase.name === "failed") return html`<${ErrorLine} error=${phase.error} />`;
  return html`<${Shell} />`;
}

render(html`<${App} />`, document.getElementById("app"));
