/** `scheduler trigger | list | why | pause | resume | enable | disable` as real processes (built CLI). */
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJobWith } from "../../src/queue/registry.js";
import { recordEntry } from "../../src/scheduler/ledger.js";
import { readSwitches } from "../../src/scheduler/switches.js";
import { runCli } from "../helpers/spawn.js";
import { cleanupApps, makeApp } from "../hooks/app-fixture.js";
import { seeder, type Seeder } from "../ops/fixture.js";

let s: Seeder;
let app: string;

const HOOKS = `export default {
  scheduler_events: {
    daily: ["app.tasks.report"],
    hourly: ["app.tasks.boom"],
    cron: { "*/5 * * * *": ["app.tasks.often"] },
  },
  timezone: "Europe/Berlin",
};
`;
const TASKS = `export async function report() { return "ok"; }
export async function often() { return 1; }
export async function boom() { throw new Error("boom went the task"); }
`;
const DAILY = "daily|app.tasks.report";

beforeAll(async () => {
  s = await seeder("sched-cli");
  app = await makeApp({ "hooks.ts": HOOKS, "app/tasks.ts": TASKS });
});
afterAll(async () => {
  await s.t.cleanup();
  await cleanupApps();
});

const cli = (args: string[]) => runCli([...args, ...s.flags], { cwd: app });

describe.concurrent("scheduler trigger", () => {
  it.each([
    ["an event", "daily", "app.tasks.report"],
    ["a cron expression", "*/5 * * * *", "app.tasks.often"],
    ["a dotted path", "app.tasks.often", "app.tasks.often"],
  ])("%s enqueues its tasks now", async (_what, target, method) => {
    const r = await cli(["trigger", target]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const m = /^enqueued (\S+) -> (\S+) \(queue default\)$/.exec(r.stdout.trim());
    expect(m?.[1]).toBe(method);
    expect(await getJobWith(s.env, m![2]!)).toMatchObject({ method, status: "queued" });
  });

  it("an unknown target: exit 1, one line naming it and what exists", async () => {
    const r = await cli(["trigger", "weekly"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^scheduler: no event, cron expression or scheduled task "weekly" in the hooks file \(known: daily, hourly, "\*\/5 \* \* \* \*"/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("--now runs it here; a failing task exits 1 with its error", async () => {
    const ok = await cli(["trigger", "daily", "--now"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ran app\.tasks\.report \(\d+ ms\)/);
    const bad = await cli(["trigger", "hourly", "--now"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("scheduler: app.tasks.boom failed: boom went the task");
  });
});

describe("switches", () => {
  it("pause, resume, disable, enable flip the state and say what changed", async () => {
    const p = await cli(["pause"]);
    expect(p.code).toBe(0);
    expect(p.stdout.trim()).toBe("scheduler paused (was running)");
    expect(await readSwitches(s.t.redis, s.t.keys)).toMatchObject({ paused: true, enabled: true });
    expect((await cli(["pause"])).stdout.trim()).toBe("scheduler already paused");
    expect((await cli(["disable"])).stdout.trim()).toBe("scheduler disabled (was paused)");
    expect((await cli(["resume"])).stdout.trim()).toBe("scheduler already disabled - still disabled: run `scheduler enable`");
    expect((await cli(["enable"])).stdout.trim()).toBe("scheduler running (was disabled)");
    expect(await readSwitches(s.t.redis, s.t.keys)).toMatchObject({ paused: false, enabled: true });
  });
});

describe("list and why", () => {
  it("list shows every task with its last outcome and its next fire (--next for more)", async () => {
    const slot = Date.parse("2025-01-15T23:00:00Z");
    await recordEntry(s.t.redis, s.t.keys, DAILY, { slot, at: slot + 3, outcome: "enqueued", jobId: "job-1", catchup: false, latenessMs: 3 });
    const json = await cli(["list", "--json"]);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as Array<{ id: string; event: string; queue: string; zone: string; next: number[]; last?: { jobId: string } }>;
    expect(rows.map((r) => r.id).sort()).toEqual(["cron:*/5 * * * *|app.tasks.often", DAILY, "hourly|app.tasks.boom"].sort());
    const daily = rows.find((r) => r.id === DAILY)!;
    expect(daily).toMatchObject({ event: "daily", queue: "default", zone: "Europe/Berlin", last: { jobId: "job-1" } });
    expect(daily.next).toHaveLength(1);
    const three = JSON.parse((await cli(["list", "--json", "--next", "3"])).stdout) as typeof rows;
    const d3 = three.find((r) => r.id === DAILY)!;
    expect(d3.next).toHaveLength(3);
    expect(d3.next[1]! - d3.next[0]!).toBeGreaterThanOrEqual(23 * 3_600_000);
    const human = await cli(["list"]);
    expect(human.stdout).toMatch(/^TASK\s+SCHEDULE\s+QUEUE\s+LAST RUN\s+NEXT/);
    expect(human.stdout).toMatch(/app\.tasks\.report\s+daily\s+default\s+01-16 00:00 (enqueued|running or queued)/);
    expect(human.stdout).toContain("(times in Europe/Berlin)");
  });

  it("why prints the ledger of a task, merged skips included; unknown tasks exit 1", async () => {
    const slot = Date.parse("2025-01-16T23:00:00Z");
    await recordEntry(s.t.redis, s.t.keys, DAILY, { slot, at: slot, outcome: "skipped", reason: "paused", catchup: false });
    await recordEntry(s.t.redis, s.t.keys, DAILY, { slot: slot + 86_400_000, at: slot + 86_400_000, outcome: "skipped", reason: "paused", catchup: false });
    const r = await cli(["why", "app.tasks.report"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe(DAILY);
    // pause, last outcome, counters and next fires come first, then the ledger
    lines.splice(1, lines.indexOf("  ledger (newest first):"));
    expect(lines[1]).toMatch(/2025-01-17 00:00:00 \+01:00 \.\. 2025-01-18 00:00:00 \+01:00\s+skipped x2: paused/);
    expect(lines[2]).toMatch(/2025-01-16 00:00:00 \+01:00\s+enqueued job-1 \(\+3 ms\)/);
    const json = JSON.parse((await cli(["why", DAILY, "--json"])).stdout) as Array<{ task: string; entries: unknown[] }>;
    expect(json).toEqual([expect.objectContaining({ task: DAILY, entries: [expect.objectContaining({ count: 2 }), expect.objectContaining({ jobId: "job-1" })] })]);
    // Without a hooks file (another folder): found by its ledger key, times in UTC.
    const bare = await runCli(["why", "app.tasks.report", ...s.flags], { cwd: tmpdir() });
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(/^daily\|app\.tasks\.report\n[^]*2025-01-17 23:00:00 \+00:00\s+skipped x2: paused/);
    const unknown = await cli(["why", "app.tasks.nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^scheduler: no event, cron expression or scheduled task "app.tasks.nope"/);
  });
});
