// Screenshots of every console page, and the figures the README quotes (page load time,
// JavaScript shipped), taken with the same Chromium the browser tests drive.
//
//   npm run build && node scripts/console-screenshots.mjs --redis redis://127.0.0.1:6379/4
//
// It starts a real daemon on the browser tests' fixture app under a fresh key prefix, gives it
// work (jobs that finish, fail and run), serves the console next to it, writes
// docs/screenshots/<page>.png, prints the figures, then stops the daemon and deletes its keys.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { chromium } from "playwright-core";
import { resolveConfig } from "../dist/settings/resolve.js";
import { loadHooks } from "../dist/hooks/load.js";
import { startConsoleServer } from "../dist/http/console/standalone.js";
import { enqueueIn } from "../dist/queue/enqueue.js";
import { createKeys } from "../dist/redis/keys.js";

const { values } = parseArgs({
  options: {
    redis: { type: "string", default: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" },
    out: { type: "string", default: fileURLToPath(new URL("../docs/screenshots/", import.meta.url)) },
    chromium: { type: "string", default: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
    theme: { type: "string", default: "light" },
  },
});
const HOOKS = fileURLToPath(new URL("../test/http/fixtures/console-app/hooks.ts", import.meta.url));
const BIN = fileURLToPath(new URL("../bin/scheduler.js", import.meta.url));
const prefix = `shots-${randomBytes(3).toString("hex")}`;
const keys = createKeys(prefix);
const redis = new Redis(values.redis, { maxRetriesPerRequest: 2 });

/** Poll until `check()` is truthy, at most `ms`. */
async function until(what, check, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`screenshots: ${what} not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const daemon = spawn(process.execPath, [BIN, "start", "--hooks", HOOKS, "--redis", values.redis, "--prefix", prefix], { stdio: ["ignore", "ignore", "inherit"] });
let server;
let browser;
try {
  const hooks = await loadHooks({ hooksPath: HOOKS });
  const config = resolveConfig({ flags: { redis: values.redis, prefix }, env: {}, hooks });
  const env = { redis, keys, clock: Date.now, queues: config.queues, retention: config.retention };
  server = await startConsoleServer({ host: "127.0.0.1", port: 0, deps: { redis, keys, config, readOnly: false, clock: Date.now, role: "serve" } });
  await until("a worker", async () => (await redis.zcard(keys.workers())) > 0);

  const failed = [];
  for (let i = 0; i < 12; i++) await enqueueIn(env, "app.tasks.quick", { queue: i % 3 ? "default" : "short" });
  for (const customer of ["acme-1042", "globex-7"]) failed.push((await enqueueIn(env, "app.tasks.flaky", { queue: "default", kwargs: { customer, api_token: "tok-123" } })).id);
  const running = await enqueueIn(env, "app.tasks.slow", { queue: "default" });
  await until("the failures", async () => (await redis.zcard(keys.failed("default"))) >= failed.length);
  await until("the running job", async () => (await redis.hget(keys.job(running.id), "status")) === "started");

  mkdirSync(values.out, { recursive: true });
  browser = await chromium.launch({ executablePath: values.chromium, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 }, colorScheme: values.theme === "dark" ? "dark" : "light" });
  const page = await context.newPage();
  const shots = [
    ["overview", "/", "Overview"],
    ["schedules", "/schedules", "Schedules"],
    ["jobs", "/jobs?state=failed", "Jobs"],
    ["job", `/jobs/${encodeURIComponent(failed[0])}`, null],
    ["running-job", `/jobs/${encodeURIComponent(running.id)}`, null],
    ["workers", "/workers", "Workers"],
    ["live", "/live", "Live"],
    ["metrics", "/charts", "Metrics"],
  ];
  const loads = [];
  const USABLE = () => (document.querySelector("main h1") && !document.body.textContent.includes("loading") ? performance.now() : 0);
  for (const [name, path, title] of shots) {
    await page.goto(path);
    // usable: the page's heading and its first data are drawn; the browser's own clock, from
    // the start of the navigation
    const usable = await page.waitForFunction(USABLE, null, { timeout: 10_000 });
    loads.push([name, Math.round(await usable.jsonValue())]);
    if (title) await until(`${name} heading`, async () => (await page.locator("h1").first().textContent()) === title, 10_000);
    if (name === "live") {
      await until("live", async () => (await page.getByTestId("live-status").textContent()) === "live", 10_000);
      for (let i = 0; i < 4; i++) await enqueueIn(env, "app.tasks.quick", { queue: "default" });
      await page.waitForTimeout(1500);
    }
    await page.screenshot({ path: `${values.out}${name}.png`, fullPage: false });
  }
  const cold = await (async () => {
    const fresh = await browser.newContext({ baseURL: server.url });
    const p = await fresh.newPage();
    await p.goto("/");
    const usable = await p.waitForFunction(() => (document.querySelectorAll("tbody tr").length > 0 ? performance.now() : 0), null, { timeout: 10_000 });
    const ms = Math.round(await usable.jsonValue());
    // every script the page loaded, as the browser counted it (uncompressed bytes)
    const js = await p.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((e) => /\.m?js$/.test(new URL(e.name).pathname))
        .map((e) => [new URL(e.name).pathname, e.decodedBodySize]),
    );
    await fresh.close();
    return { ms, js };
  })();
  const sorted = loads.map(([, ms]) => ms).sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({ coldOverviewUsableMs: cold.ms, pageLoadMs: Object.fromEntries(loads), medianPageLoadMs: sorted[Math.floor(sorted.length / 2)], jsFiles: cold.js.length, jsBytes: cold.js.reduce((a, [, n]) => a + n, 0), js: Object.fromEntries(cold.js) }, null, 2)}\n`,
  );
} finally {
  await browser?.close();
  await server?.close();
  daemon.kill("SIGTERM");
  await new Promise((r) => (daemon.exitCode !== null ? r() : daemon.once("exit", r)));
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${keys.root}:*`, "COUNT", 1000);
    cursor = next;
    if (batch.length) await redis.del(...batch);
  } while (cursor !== "0");
  redis.disconnect();
}
