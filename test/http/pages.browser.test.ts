// Every console page loads in Chromium against a real daemon with no console error, and each
// shows what the daemon is doing (queues, schedules, workers).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, daemonReady, type Harness } from "./harness.js";

describe("console pages", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("console-pages");
    await daemonReady(h);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  const PAGES: Array<[string, string]> = [
    ["/", "Overview"],
    ["/schedules", "Schedules"],
    ["/jobs", "Jobs"],
    ["/workers", "Workers"],
    ["/live", "Live"],
    ["/charts", "Metrics"],
  ];

  for (const [path, title] of PAGES) {
    it(`${path} loads with no console error`, async () => {
      const page = await h.open(path);
      await expect.poll(() => page.locator("h1").first().textContent(), { timeout: 10_000 }).toBe(title);
      // let the first refresh and any chart land before judging
      await page.waitForLoadState("networkidle", { timeout: 10_000 }).catch(() => {});
      await page.close();
      expect(h.errors).toEqual([]);
    });
  }

  it("the overview shows the fixture's queues and the live worker", async () => {
    const page = await h.open("/");
    await expect.poll(() => page.locator("tbody th[scope=row]").allTextContents(), { timeout: 10_000 }).toEqual(expect.arrayContaining(["default", "short"]));
    await expect.poll(async () => page.locator(".card").nth(1).textContent(), { timeout: 10_000 }).toMatch(/[1-9]\d* alive/);
    await page.close();
  });

  it("the workers page shows each live worker's RSS and its supervisor's, as the worker record holds them", async () => {
    const MB = 1024 * 1024;
    const plausible = (bytes: number | undefined) => bytes !== undefined && bytes > 10 * MB && bytes < 2048 * MB;
    // The daemon's workers write their record with every heartbeat; the child's RSS comes with its pulses.
    type Api = { workers: Array<{ name: string; pid: number; rss?: number; supervisorRss?: number }> };
    const read = async () => (await (await fetch(`${h.server.url}/api/workers`)).json()) as Api;
    await expect.poll(async () => (await read()).workers.length > 0 && (await read()).workers.every((w) => plausible(w.rss) && plausible(w.supervisorRss)), { timeout: 15_000 }).toBe(true);
    const { workers } = await read();
    // The child's own figure, not the supervisor's: /proc says about the same of that pid.
    const { readFileSync } = await import("node:fs");
    const w = workers[0]!;
    const procRss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${w.pid}/status`, "utf8"))![1]) * 1024;
    expect(Math.abs(procRss - w.rss!) / procRss).toBeLessThan(0.5);

    const page = await h.open("/workers");
    const cells = page.getByTestId("rss");
    await expect.poll(() => cells.count(), { timeout: 10_000 }).toBe(workers.length);
    const shownMb = (await cells.allTextContents()).map((t) => Number(/^([\d.]+) MB/.exec(t)?.[1]));
    for (const mb of shownMb) expect(mb > 10 && mb < 2048).toBe(true);
    expect(await page.getByTestId("supervisor-rss").first().textContent()).toMatch(/^sup\. [\d.]+ MB$/);
    await page.close();
    expect(h.errors).toEqual([]);
  });

  it("is usable by keyboard: Tab reaches the navigation and Enter follows it", async () => {
    const page = await h.open("/");
    await expect.poll(() => page.locator("h1").first().textContent(), { timeout: 10_000 }).toBe("Overview");
    let focused = "";
    for (let i = 0; i < 10 && focused !== "Workers"; i++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(() => document.activeElement?.textContent ?? "");
    }
    expect(focused).toBe("Workers");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("h1").first().textContent(), { timeout: 10_000 }).toBe("Workers");
    expect(new URL(page.url()).pathname).toBe("/workers");
    await page.close();
  });

  it("the schedules page lists every scheduled task with its next fires", async () => {
    const page = await h.open("/schedules");
    await expect.poll(() => page.locator("tbody tr[data-task]").count(), { timeout: 10_000 }).toBe(2);
    const text = await page.locator("table").first().textContent();
    expect(text).toContain("app.tasks.quick");
    expect(text).toContain("0 9 * * 1-5");
    await page.close();
  });
});
