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
