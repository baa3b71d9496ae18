/** Helpers of the HTTP tests: a daemon on a free port, its URL read from the banner, /metrics parsed. */
import { fileURLToPath } from "node:url";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { freePort } from "../../src/base/free-port.js";
import { startCli, type Watched } from "../helpers/spawn.js";

export const FIXTURE_HOOKS = fileURLToPath(new URL("./fixtures/app/hooks.ts", import.meta.url));

export interface Daemon extends Watched {
  url: string;
}

/** `scheduler start` with its HTTP server on a free port; resolves once the server answers. */
export async function startDaemon(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<Daemon> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const w = startCli(["start", "--hooks", FIXTURE_HOOKS, "--http", `127.0.0.1:${port}`, ...args], { env });
  try {
    await w.waitForOutput(`http      ${url}`, timeoutMs);
  } catch (err) {
    await w.kill9();
    throw new Error(`daemon did not start its HTTP server: ${w.output()}`, { cause: err });
  }
  return { ...w, url, stop: (ms = 10_000) => w.stop(ms) };
}

export interface Family {
  name: string;
  type: string;
  metrics: Array<{ labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string; sum?: string }>;
}

export type Scrape = Family[] & { text: string };

/** /metrics, parsed (the parser flattens labelled histograms: read those with `sample`). */
export async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(`${url}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const text = await res.text();
  return Object.assign(parsePrometheusTextFormat(text) as Family[], { text });
}

/** The value of the one sample line `name{labels}` whose labels are exactly `labels` (NaN: none). */
export function sample(s: Scrape, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  for (const line of s.text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = [...(m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]).sort(([a], [b]) => a!.localeCompare(b!));
    if (JSON.stringify(got) === JSON.stringify(want)) return Number(m[3]);
  }
  return NaN;
}

/** Sum of a counter/gauge family's values whose labels include `match`. */
export function value(families: Family[], name: string, match: Record<string, string> = {}): number {
  const f = families.find((x) => x.name === name);
  if (!f) return 0;
  return f.metrics
    .filter((m) => Object.entries(match).every(([k, v]) => m.labels?.[k] === v))
    .reduce((n, m) => n + Number(m.value ?? m.count ?? 0), 0);
}
