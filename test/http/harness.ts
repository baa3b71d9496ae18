/**
 * What the console's browser tests stand on: a real daemon (`scheduler start`, built CLI) on the
 * fixture app, the console server in this process on the same Redis and prefix, and Debian's
 * Chromium driven by playwright-core. Every page's console errors and failed requests are
 * collected so a test can say "no console error".
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { Redis } from "ioredis";
import { resolveConfig } from "../../src/settings/resolve.js";
import { loadHooks } from "../../src/hooks/load.js";
import { startConsoleServer, type ConsoleServer } from "../../src/http/console/standalone.js";
import type { ConsoleOptions } from "../../src/http/console/register.js";
import type { QueueEnv } from "../../src/queue/context.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import type { Job } from "../../src/queue/types.js";
import { startCli, type Watched } from "../helpers/spawn.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { jobHash } from "../helpers/job-reads.js";

export const HOOKS = fileURLToPath(new URL("./fixtures/console-app/hooks.ts", import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found: apt-get install chromium (.ci/run does)`;
}

/** The fixture daemon (`scheduler start`) on the test's Redis and prefix, watched. */
export function startDaemon(t: TestRedis, extra: string[] = []): Watched {
  return startCli(["start", "--hooks", HOOKS, "--redis", t.url, "--prefix", t.prefix, ...extra]);
}

/** Until a worker of the daemon has registered (jobs run from then on). */
export async function workersUp(t: TestRedis, timeoutMs = 30_000): Promise<void> {
  await waitFor(async () => (await t.redis.zcard(t.keys.workers())) > 0, timeoutMs, 100);
}

/**
 * Until the daemon has run one job on each fixture queue: its workers are up and have loaded
 * the task module (a first job pays that load; the tests' own waits are for steady state).
 */
export async function daemonReady(h: Harness, timeoutMs = 90_000): Promise<void> {
  const ids: string[] = [];
  try {
    await workersUp(h.t, timeoutMs);
    for (const queue of ["default", "short"]) ids.push(((await enqueueWith(h.env, "app.tasks.quick", { queue })) as Job).id);
    // jobHash: on the per-queue layout each job is on its queue's tag, not the installation's.
    await waitFor(async () => (await Promise.all(ids.map(async (id) => (await jobHash(h.t, id)).status))).every((s) => s === "finished"), timeoutMs, 100);
  } catch (err) {
    // the daemon's own words say why it is not ready (a crash, a refused start)
    const hashes = await Promise.all(ids.map((id) => jobHash(h.t, id)));
    throw new Error(`${(err as Error).message}; jobs ${JSON.stringify(hashes)}; daemon output:\n${h.daemon?.output().slice(-4000) ?? "(no daemon)"}`);
  }
}

export async function consoleDeps(t: TestRedis, o: Partial<ConsoleOptions> = {}): Promise<ConsoleOptions & { close(): void }> {
  const hooks = await loadHooks({ hooksPath: HOOKS });
  const config = resolveConfig({ flags: { redis: t.url, prefix: t.prefix }, env: {}, hooks });
  const redis = new Redis(t.url, { maxRetriesPerRequest: 2 });
  return { redis, keys: t.keys, config, readOnly: false, clock: Date.now, role: "serve", ...o, close: () => redis.disconnect() };
}

export interface Harness {
  t: TestRedis;
  daemon?: Watched;
  server: ConsoleServer;
  browser: Browser;
  context: BrowserContext;
  /** A queue env on the test's prefix with the fixture's queues (for enqueueing from the test). */
  env: QueueEnv;
  /** Console errors and page errors seen on every page so far. */
  errors: string[];
  open(path: string): Promise<Page>;
  close(): Promise<void>;
}

export async function startHarness(name: string, o: { daemon?: boolean; deps?: Partial<ConsoleOptions> } = {}): Promise<Harness> {
  const missing = chromiumMissing();
  if (missing) throw new Error(`browser tests: ${missing}`);
  const t = await testRedis(name);
  const daemon = o.daemon === false ? undefined : startDaemon(t);
  const deps = await consoleDeps(t, o.deps);
  const server = await startConsoleServer({ host: "127.0.0.1", port: 0, deps });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  const context = await browser.newContext({ baseURL: server.url });
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`${page.url()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
  };
  context.on("page", watch);
  const env: QueueEnv = { redis: t.redis, keys: t.keys, clock: Date.now, queues: deps.config.queues, retention: deps.config.retention };
  return {
    t,
    env,
    daemon,
    server,
    browser,
    context,
    errors,
    open: async (path) => {
      const page = await context.newPage();
      await page.goto(path);
      return page;
    },
    close: async () => {
      await context.close().catch(() => {});
      await browser.close().catch(() => {});
      await server.close();
      deps.close();
      await daemon?.stop();
      await t.cleanup();
    },
  };
}
