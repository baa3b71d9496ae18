/**
 * docs/metrics.md and docs/grafana-dashboard.json name exactly the metrics /metrics exports:
 * every exported hs_ metric is documented, and no doc, alert or panel names one that is not.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/http/metrics/registry.js";
import { standaloneConfig } from "../../src/http/standalone-config.js";
import { testRedis } from "../helpers/redis.js";

const t = await testRedis("http-docs");
afterAll(() => t.cleanup());

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), "utf8");
/** hs_ names with the histogram suffixes taken off. */
const named = (text: string) => new Set([...text.matchAll(/\bhs_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, "")));

describe("metrics docs", () => {
  const metrics = createMetrics({ redis: t.redis, keys: t.keys, config: standaloneConfig(t.url, t.prefix), readOnly: true, clock: Date.now, role: "serve" }, { processMetrics: false });
  const exported = new Set(metrics.registry.getMetricsAsArray().map((m) => m.name));

  it("docs/metrics.md lists every exported metric in its table", () => {
    const doc = read("docs/metrics.md");
    for (const name of exported) expect(doc).toContain(`| \`${name}\` |`);
  });

  it("the doc, its alerts and the dashboard name no metric that does not exist", () => {
    for (const file of ["docs/metrics.md", "docs/grafana-dashboard.json"]) {
      const unknown = [...named(read(file))].filter((n) => !exported.has(n));
      expect({ file, unknown }).toEqual({ file, unknown: [] });
    }
  });
});
