/**
 * `scheduler metrics [--url URL] [--json]`: the /metrics figures for a shell user. Asks the
 * daemon at --url (default the daemon's default address) for its figures; when none answers,
 * reads the installation-wide ones from Redis itself and says that the per-process counters
 * (which live in the daemons) are missing.
 */
import type { Command } from "commander";
import type { MetricObjectWithValues, MetricValue } from "prom-client";
import { systemClock } from "../../base/clock.js";
import { DEFAULT_HTTP } from "../../http/server.js";
import { createMetrics } from "../../http/metrics/registry.js";
import { standaloneConfig } from "../../http/standalone-config.js";
import { action, withCommon, UsageError, type CommonOptions } from "../common.js";
import { openCli } from "../context.js";

type Family = MetricObjectWithValues<MetricValue<string>>;

export const METRICS_FETCH_TIMEOUT_MS = 3000;

async function fromDaemon(url: string): Promise<Family[] | undefined> {
  try {
    const res = await fetch(`${url.replace(/\/$/, "")}/metrics`, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(METRICS_FETCH_TIMEOUT_MS) });
    if (!res.ok) return undefined;
    return (await res.json()) as Family[];
  } catch {
    return undefined;
  }
}

function labelText(labels: Record<string, string | number | undefined>): string {
  const parts = Object.entries(labels).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}="${v}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** One line per series; histograms as their count and sum (the buckets are in --json). */
export function metricLines(families: Family[]): string[] {
  const lines: string[] = [];
  for (const f of families.filter((x) => x.name.startsWith("hs_"))) {
    for (const v of f.values) {
      const name = (v as { metricName?: string }).metricName ?? f.name;
      if (name.endsWith("_bucket")) continue;
      lines.push(`${name}${labelText(v.labels)} ${v.value}`);
    }
  }
  return lines;
}

export function registerMetrics(program: Command): void {
  withCommon(program.command("metrics").description("print the /metrics figures (from the daemon's HTTP server, else from Redis)"), { json: true })
    .option("--url <url>", `the daemon's HTTP server (default http://${DEFAULT_HTTP})`)
    .action(
      action(async (flags: CommonOptions & { url?: string }) => {
        const url = flags.url ?? `http://${DEFAULT_HTTP}`;
        if (!/^https?:\/\//.test(url)) throw new UsageError(`--url: "${url}" is not an http:// or https:// URL (e.g. --url http://127.0.0.1:7070)`);
        let families = await fromDaemon(url);
        if (!families) {
          const cli = await openCli(flags, { hooks: "optional" });
          try {
            const metrics = createMetrics(
              {
                redis: cli.redis,
                keys: cli.keys,
                config: cli.config ?? standaloneConfig(cli.url, cli.prefix),
                readOnly: true,
                clock: systemClock,
                role: "serve",
                ...(cli.hooks ? { tasks: cli.hooks.tasks } : {}),
              },
              { processMetrics: false },
            );
            await metrics.scrape();
            families = (await metrics.registry.getMetricsAsJSON()) as Family[];
          } finally {
            await cli.close();
          }
          process.stderr.write(`scheduler metrics: no daemon answered at ${url}; showing the figures stored in Redis (the job and fire counters live in the daemons: pass --url)\n`);
        }
        if (flags.json) process.stdout.write(`${JSON.stringify(families, null, 2)}\n`);
        else process.stdout.write(`${metricLines(families).join("\n")}\n`);
      }),
    );
}
