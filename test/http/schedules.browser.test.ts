// The Schedules page in Chromium against a real daemon: "Trigger now" enqueues the task and
// the run is seen finishing; the next fires are listed in the zone; a schedule paused from the
// page with a note is the pause `scheduler list` shows (the same record the daemons obey).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/redis.js";
import { jobHash } from "../helpers/job-reads.js";
import { startHarness, daemonReady, HOOKS, type Harness } from "./harness.js";
import { runCli } from "../helpers/spawn.js";
import { loadHooks } from "../../src/hooks/load.js";
import { installSchedules } from "../../src/scheduler/schedule-install.js";

describe("console schedules", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("console-schedules");
    await daemonReady(h);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it("triggers a task now and the job it enqueued finishes", async () => {
    const page = await h.open("/schedules");
    const row = page.locator("tr", { has: page.getByText("app.tasks.quick", { exact: true }) });
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await row.getByTestId("trigger").click();
    const note = page.getByRole("status").filter({ hasText: "enqueued app.tasks.quick as" });
    await expect.poll(() => note.count(), { timeout: 10_000 }).toBe(1);
    const id = /as (\S+)$/.exec((await note.textContent()) ?? "")?.[1];
    expect(id).toBeTruthy();
    await waitFor(async () => (await jobHash(h.t, id!)).status === "finished", 30_000, 50);
    await page.close();
    expect(h.errors).toEqual([]);
  });

  it("lists ten next fires of each task, in the zone, with offsets", async () => {
    const res = await fetch(`${h.server.url}/api/schedules`);
    const body = (await res.json()) as { zone: string; tasks: Array<{ id: string; method: string; next: Array<{ at: number; offset: string }> }> };
    expect(body.zone).toBe("Europe/Berlin");
    const report = body.tasks.find((t) => t.method === "app.tasks.report")!;
    expect(report.next).toHaveLength(10);
    for (const f of report.next) expect(["+01:00", "+02:00"]).toContain(f.offset);
    const page = await h.open("/schedules");
    const row = page.locator("tr", { has: page.getByText("app.tasks.report", { exact: true }) });
    await row.locator("details summary").first().click();
    await expect.poll(() => row.locator("details ol li").count(), { timeout: 10_000 }).toBe(10);
    await page.close();
    expect(h.errors).toEqual([]);
  });

  it("pauses one schedule with a note from the page; scheduler list shows it paused", async () => {
    const page = await h.open("/schedules");
    const row = page.locator("tr", { has: page.getByText("app.tasks.report", { exact: true }) });
    await expect.poll(() => row.getByTestId("schedule-pause").count(), { timeout: 10_000 }).toBe(1);
    await row.getByRole("textbox", { name: "note for pausing app.tasks.report" }).fill("vendor API down");
    await row.getByTestId("schedule-pause").click();
    // the badge joins the row's heading, so look it up on the page
    await expect.poll(() => page.getByText("paused: vendor API down").count(), { timeout: 10_000 }).toBe(1);
    await page.close();
    const list = await runCli(["list", "--json", "--hooks", HOOKS, "--redis", h.t.url, "--prefix", h.t.prefix], { timeoutMs: 60_000 });
    expect(list.code, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as Array<{ method: string; paused?: { note?: string; by?: string } }>;
    expect(rows.find((t) => t.method === "app.tasks.report")?.paused).toMatchObject({ note: "vendor API down", by: "console" });
    expect(h.errors).toEqual([]);
  });

  it("marks what Redis holds that differs from the hooks file: a pause from the CLI, daemons installed with another expression", async () => {
    const paused = await runCli(["pause", "app.tasks.quick", "--note", "disk full", "--hooks", HOOKS, "--redis", h.t.url, "--prefix", h.t.prefix], { timeoutMs: 60_000 });
    expect(paused.code, paused.stderr).toBe(0);
    // What the running daemons were told, as a daemon started on an older hooks file records it.
    const hooks = await loadHooks({ hooksPath: HOOKS });
    const report = hooks.tasks.find((t) => t.method === "app.tasks.report")!;
    const installed = hooks.tasks.map((t) => (t === report ? { ...t, expression: "0 8 * * 1-5" } : t));
    await installSchedules(h.t.redis, h.t.keys, installed, "Europe/Berlin", Date.now());

    type Override = { kind: string; by?: string; note?: string; field?: string; hooks?: string; running?: string; since: number };
    const body = (await (await fetch(`${h.server.url}/api/schedules`)).json()) as { tasks: Array<{ method: string; overrides: Override[] }> };
    const of = (method: string) => body.tasks.find((t) => t.method === method)!.overrides;
    expect(of("app.tasks.quick")).toEqual([expect.objectContaining({ kind: "paused", note: "disk full", by: expect.any(String), since: expect.any(Number) })]);
    // (report was also paused from the page by the test before: both are listed)
    expect(of("app.tasks.report")).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "installed", field: "expression", hooks: report.expression, running: "0 8 * * 1-5" })]));

    const page = await h.open("/schedules");
    // by the row's task id: the heading cell holds the override marks as well as the method
    const row = (method: string) => page.locator(`tr[data-task="${hooks.tasks.find((t) => t.method === method)!.id}"]`);
    const marks = (method: string) => row(method).getByTestId("overrides").locator("li");
    await expect.poll(() => marks("app.tasks.quick").count(), { timeout: 10_000 }).toBe(1);
    expect(await marks("app.tasks.quick").textContent()).toMatch(/^override paused by .+ \(disk full\); the hooks file does not pause it since /);
    expect((await marks("app.tasks.report").allTextContents()).join("\n")).toContain(`expression: the daemons run 0 8 * * 1-5, the hooks file says ${report.expression}`);
    // a time in the zone, UTC on hover: since when
    expect(await marks("app.tasks.quick").locator("time").getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    await page.close();
    expect(h.errors).toEqual([]);
  });
});
