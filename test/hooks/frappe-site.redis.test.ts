/**
 * A Frappe site's real scheduler_events (frappe + erpnext, every event kind Frappe accepts,
 * `0/15`-style steps, empty lists, dozens of dotted paths) load unchanged, every path resolves,
 * and `scheduler list` lists each task with Frappe's queue and schedule.
 */
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_NAMES } from "../../src/schedule/events.js";
import { loadHooks } from "../../src/hooks/load.js";
import { createTaskTable, validateTaskPaths } from "../../src/tasks/task-loader.js";
import type { LoadedHooks } from "../../src/hooks/types.js";
import { runCli } from "../helpers/spawn.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { writeFiles } from "./app-fixture.js";

const FIXTURE = new URL("./fixtures/frappe-site/hooks.ts", import.meta.url).pathname;

/** Every event name current Frappe accepts (Scheduled Job Type's frequencies, scrubbed). */
const FRAPPE_EVENTS = [
  "all", "hourly", "hourly_long", "hourly_maintenance", "daily", "daily_long", "daily_maintenance",
  "weekly", "weekly_long", "monthly", "monthly_long", "yearly", "annual", "cron",
];

let site: string;
let hooks: LoadedHooks;
let t: TestRedis;

/** One module per dotted path's module part, exporting each function the hooks name. */
function taskModules(methods: string[]): Record<string, string> {
  const byModule = new Map<string, Set<string>>();
  for (const m of methods) {
    const parts = m.split(".");
    const fn = parts.pop()!;
    const file = `${parts.join("/")}.ts`;
    if (!byModule.has(file)) byModule.set(file, new Set());
    byModule.get(file)!.add(fn);
  }
  const files: Record<string, string> = {};
  for (const [file, fns] of byModule) files[file] = [...fns].map((f) => `export async function ${f}() { return "${f}"; }\n`).join("");
  return files;
}

beforeAll(async () => {
  site = await mkdtemp(join(tmpdir(), "hs-frappe-site-"));
  await copyFile(FIXTURE, join(site, "hooks.ts"));
  hooks = await loadHooks({ cwd: site });
  await writeFiles(site, taskModules(hooks.tasks.map((task) => task.method)));
  t = await testRedis("frappe-site");
});
afterAll(async () => {
  await t.cleanup();
  await rm(site, { recursive: true, force: true });
});

describe("a Frappe site's hooks", () => {
  it("every Frappe event name is accepted", () => {
    for (const e of FRAPPE_EVENTS.filter((e) => e !== "cron")) expect(EVENT_NAMES).toContain(e);
    expect(new Set(hooks.tasks.map((task) => task.event))).toEqual(new Set(FRAPPE_EVENTS));
  });

  it("loads every entry with Frappe's queue and schedule", () => {
    expect(hooks.tasks.length).toBe(53);
    const byEvent = (event: string) => hooks.tasks.filter((task) => task.event === event);
    for (const task of byEvent("hourly_maintenance")) expect([task.expression, task.queue]).toEqual(["0 * * * *", "long"]);
    for (const task of byEvent("daily_maintenance")) expect([task.expression, task.queue]).toEqual(["0 0 * * *", "long"]);
    for (const task of byEvent("hourly_long")) expect([task.expression, task.queue]).toEqual(["0 * * * *", "long"]);
    for (const task of byEvent("daily")) expect([task.expression, task.queue]).toEqual(["0 0 * * *", "default"]);
    expect(byEvent("hourly_maintenance")).toHaveLength(10);
    expect(byEvent("daily_maintenance")).toHaveLength(16);
    expect(hooks.tasks.find((task) => task.method === "erpnext.utilities.bulk_transaction.retry")!.id).toBe(
      "hourly_maintenance|erpnext.utilities.bulk_transaction.retry",
    );
  });

  it("every dotted path resolves to its function", async () => {
    const registry = createTaskTable(site);
    expect(await validateTaskPaths(registry, hooks.tasks, hooks.file)).toEqual([]);
  });

  it("scheduler list shows every task, `0/15` steps firing at :00, :15, :30, :45", async () => {
    const r = await runCli(["list", "--json", "--next", "3", "--redis", t.url, "--prefix", t.prefix], { cwd: site });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as Array<{ id: string; event: string; queue: string; next: number[] }>;
    expect(listed.map((l) => l.id)).toEqual(hooks.tasks.map((task) => task.id));
    const quarter = listed.find((l) => l.id === "cron:0/15 * * * *|frappe.oauth.delete_oauth2_data")!;
    expect(quarter.next).toHaveLength(3);
    for (const ms of quarter.next) expect(new Date(ms).getUTCMinutes() % 15).toBe(0);
    expect(quarter.next[1]! - quarter.next[0]!).toBe(15 * 60_000);
    expect(listed.filter((l) => l.event.endsWith("_maintenance")).every((l) => l.queue === "long")).toBe(true);
    const human = await runCli(["list", "--redis", t.url, "--prefix", t.prefix], { cwd: site });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/erpnext\.utilities\.bulk_transaction\.retry\s+hourly_maintenance\s+long\s/);
  });
});
