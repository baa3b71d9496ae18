/**
 * The per-schedule commands as real processes (built CLI) on a real Redis: calendar, pause and
 * resume of one task (shown by list, why, status, plan), list --next, plan's exit code, backfill.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJobWith } from "../../src/queue/registry.js";
import { readLedger } from "../../src/scheduler/ledger.js";
import { installSchedules } from "../../src/scheduler/schedule-install.js";
import { setSwitch } from "../../src/scheduler/switches.js";
import { loadHooks } from "../../src/hooks/load.js";
import { runCli } from "../helpers/spawn.js";
import { cleanupApps, makeApp } from "../hooks/app-fixture.js";
import { seeder, type Seeder } from "../ops/fixture.js";

let s: Seeder;
let app: string;

const HOOKS = `export default {
  scheduler_events: {
    daily: ["app.tasks.report"],
    cron: {
      "30 2 * * *": ["app.tasks.night"],
      "0 * * * *": [{ method: "app.tasks.hourly", overlap: "allow", except: ["* * * * 0"] }],
    },
  },
  timezone: "Europe/Berlin",
};
`;
const TASKS = `export async function report() { return "ok"; }
export async function night() { return 1; }
export async function hourly() { return 2; }
`;
const REPORT = "daily|app.tasks.report";
const HOURLY = "cron:0 * * * *|app.tasks.hourly";

beforeAll(async () => {
  s = await seeder("sched-controls-cli");
  app = await makeApp({ "hooks.ts": HOOKS, "app/tasks.ts": TASKS });
});
afterAll(async () => {
  await s.t.cleanup();
  await cleanupApps();
});

const cli = (args: string[]) => runCli([...args, ...s.flags], { cwd: app });

describe("scheduler calendar", () => {
  it("previews an expression without a hooks file, DST adjustments named, --json alike", async () => {
    const r = await runCli(["calendar", "30 2 * * *", "--tz", "Europe/Berlin", "--from", "2027-03-27T12:00", "--next", "2"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "30 2 * * *  (zone Europe/Berlin)\n" +
        "  1. 2027-03-28 03:00:00 CEST  2027-03-28T01:00:00.000Z  02:30 does not exist on 2027-03-28: runs at 03:00 CEST\n" +
        "  2. 2027-03-29 02:30:00 CEST  2027-03-29T00:30:00.000Z\n",
    );
    const j = JSON.parse((await runCli(["calendar", "30 1 * * *", "--tz", "Europe/London", "--from", "2027-10-30T12:00Z", "--next", "1", "--json"])).stdout);
    expect(j).toMatchObject({ zone: "Europe/London", fires: [{ utc: "2027-10-31T00:30:00.000Z", dst: "01:30 repeats: runs at the first (01:30 BST)" }] });
  });

  it("a bad expression, zone or count: exit 2, one line naming it", async () => {
    for (const [args, says] of [
      [["calendar", "61 * * * *"], /invalid schedule "61 \* \* \* \*"/],
      [["calendar", "* * * * *", "--tz", "Mars/Base"], /unknown time zone "Mars\/Base"/],
      [["calendar", "* * * * *", "--next", "0"], /--next "0" is not a whole number/],
      [["calendar", "* * * * *", "--from", "yesterday"], /--from "yesterday" is not an ISO date/],
    ] as const) {
      const r = await runCli([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(says);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});

describe("pause and resume one schedule", () => {
  it("pause TASK --note is stored with who/when and shown by list, why, status and plan; resume clears it", async () => {
    const p = await cli(["pause", "app.tasks.report", "--note", "vendor API down"]);
    expect(p.stderr).toBe("");
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/^daily\|app\.tasks\.report paused by \S+: vendor API down\n$/);

    const list = await cli(["list"]);
    const line = list.stdout.split("\n").find((l) => l.startsWith("app.tasks.report"))!;
    expect(line).toMatch(/PAUSED \(drift: active in hooks\) by \S+: vendor API down/);
    for (const l of list.stdout.trim().split("\n")) expect(l.length).toBeLessThanOrEqual(120);

    const why = await cli(["why", "app.tasks.report"]);
    expect(why.stdout).toMatch(/PAUSED since .* by \S+: vendor API down - drift/);
    expect(why.stdout).toContain("counters: fired 0");
    const whyJson = JSON.parse((await cli(["why", REPORT, "--json"])).stdout);
    expect(whyJson[0]).toMatchObject({ task: REPORT, paused: { note: "vendor API down", cause: "manual" }, counters: { fired: 0 } });
    expect(whyJson[0].next).toHaveLength(5);

    const status = JSON.parse((await cli(["status", "--json"])).stdout);
    expect(status.schedules.find((x: { task: string }) => x.task === REPORT)).toMatchObject({ paused: { note: "vendor API down" } });

    const plan = await cli(["plan", "--json"]);
    expect(plan.code).toBe(1);
    expect(JSON.parse(plan.stdout).overrides).toEqual([expect.objectContaining({ task: REPORT, kind: "paused", inHooks: true })]);

    const r = await cli(["resume", "app.tasks.report"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^daily\|app\.tasks\.report resumed \(paused since .* vendor API down\); slots from now on run\n$/);
    expect((await cli(["resume", "app.tasks.report"])).stdout).toBe("daily|app.tasks.report was not paused\n");
    expect((await cli(["list"])).stdout).not.toContain("PAUSED");
  });

  it("an unknown TASK: exit 1, one line, nothing written; no TASK keeps the scheduler's meaning", async () => {
    const r = await cli(["pause", "app.tasks.nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^scheduler: no scheduled task "app.tasks.nope" in the hooks file \(scheduled: app\.tasks\.report/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(await s.t.redis.exists(s.t.keys.key("schedule-pause"))).toBe(0);
    expect((await cli(["pause"])).stdout.trim()).toBe("scheduler paused (was running)");
    const list = await cli(["list"]);
    expect(list.stdout.split("\n")[0]).toMatch(/^the scheduler is paused since .*: no task fires \(`scheduler resume`\)$/);
    expect((await cli(["resume"])).stdout.trim()).toBe("scheduler running (was paused)");
  });
});

describe("list --next and plan", () => {
  it("list --next 3 puts each task's next fires under it, with UTC and DST notes; --json has them", async () => {
    const r = await cli(["list", "--next", "3"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^TASK\s+SCHEDULE\s+QUEUE\s+LAST RUN\s+NEXT$/);
    const at = lines.findIndex((l) => l.startsWith("app.tasks.night"));
    expect(lines.slice(at + 1, at + 4).every((l) => /^ {4}\d{4}-\d\d-\d\d 02:30:00 CES?T  \d{4}-\d\d-\d\dT\d\d:30:00\.000Z/.test(l) || /does not exist|repeats/.test(l))).toBe(true);
    const json = JSON.parse((await cli(["list", "--json", "--next", "2"])).stdout) as Array<{ id: string; fires: unknown[]; overlap: string }>;
    expect(json.find((t) => t.id === HOURLY)).toMatchObject({ overlap: "allow" });
    expect(json.every((t) => t.fires.length === 2)).toBe(true);
  });

  it("plan: exit 1 before any daemon installed, 0 when equal, 1 with a changed or renamed schedule", async () => {
    const first = await cli(["plan"]);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain("no daemon has installed schedules here yet");
    expect(first.stdout).toContain(`+ added    ${REPORT}`);
    const hooks = await loadHooks({ cwd: app });
    await installSchedules(s.t.redis, s.t.keys, hooks.tasks, "Europe/Berlin", Date.now());
    const equal = await cli(["plan"]);
    expect(equal.stdout).toContain("nothing differs");
    expect(equal.code).toBe(0);
    // the installation runs an older file: report on another queue, night at another time
    const older = hooks.tasks.map((t) =>
      t.id === REPORT ? { ...t, queue: "long" } : t.method === "app.tasks.night" ? { ...t, id: "cron:0 3 * * *|app.tasks.night", expression: "0 3 * * *" } : t,
    );
    await installSchedules(s.t.redis, s.t.keys, older, "Europe/Berlin", Date.now());
    const changed = await cli(["plan", "--json"]);
    expect(changed.code).toBe(1);
    const plan = JSON.parse(changed.stdout);
    expect(plan.changed).toEqual([{ id: REPORT, field: "queue", from: "long", to: "default" }]);
    expect(plan.renamed).toEqual([{ from: expect.objectContaining({ id: "cron:0 3 * * *|app.tasks.night" }), to: expect.objectContaining({ id: "cron:30 2 * * *|app.tasks.night" }) }]);
    await setSwitch({ redis: s.t.redis, keys: s.t.keys, clock: Date.now }, "disable", "test");
    expect((await cli(["plan"])).stdout).toContain("! the whole scheduler is disabled");
    await setSwitch({ redis: s.t.redis, keys: s.t.keys, clock: Date.now }, "enable", "test");
    await installSchedules(s.t.redis, s.t.keys, hooks.tasks, "Europe/Berlin", Date.now());
  });
});

describe("scheduler backfill", () => {
  it("--dry-run lists the slots; a backfill enqueues each once, marked backfill, in the ledger; a second one doubles nothing", async () => {
    // 2026-11-28 is a Saturday, 11-29 a Sunday (excluded by "* * * * 0")
    const range = ["--from", "2026-11-28T21:00", "--to", "2026-11-29T01:00"];
    const dry = await cli(["backfill", "app.tasks.hourly", ...range, "--dry-run"]);
    expect(dry.stderr).toBe("");
    expect(dry.code).toBe(0);
    expect(dry.stdout.split("\n")[0]).toBe(`${HOURLY}: dry run: 3 of 5 slots would be enqueued (overlap allow; times in Europe/Berlin)`);
    expect(dry.stdout).toContain("2026-11-29 00:00:00 +01:00  excluded (* * * * 0)");
    expect(await readLedger(s.t.redis, s.t.keys, HOURLY)).toEqual([]);

    const run = JSON.parse((await cli(["backfill", "app.tasks.hourly", ...range, "--json"])).stdout) as { slots: Array<{ slot: number; outcome: string; jobId?: string }> };
    const enqueued = run.slots.filter((x) => x.outcome === "enqueued");
    expect(enqueued).toHaveLength(3);
    for (const e of enqueued) expect(await getJobWith(s.env, e.jobId!)).toMatchObject({ backfill: true, scheduledFor: e.slot, task: HOURLY });
    expect((await readLedger(s.t.redis, s.t.keys, HOURLY)).filter((e) => e.backfill)).toHaveLength(3);

    const again = await cli(["backfill", "app.tasks.hourly", "--from", "2026-11-28T20:00", "--to", "2026-11-28T23:00"]);
    expect(again.stdout.split("\n")[0]).toBe(`${HOURLY}: 1 of 4 slots enqueued (overlap allow; times in Europe/Berlin)`);
    expect(again.stdout).toContain("2026-11-28 21:00:00 +01:00  already run (left alone)");
  });

  it("refuses a future --to, a reversed range, a bad policy and missing flags with one line", async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString();
    for (const [args, code, says] of [
      [["backfill", "app.tasks.hourly", "--from", "2026-11-28T20:00", "--to", future], 1, /is in the future/],
      [["backfill", "app.tasks.hourly", "--from", "2026-11-28T20:00", "--to", "2026-11-27T20:00"], 1, /is after --to/],
      [["backfill", "app.tasks.hourly", "--from", "2026-11-28T20:00", "--to", "2026-11-28T21:00", "--overlap", "queue"], 2, /--overlap "queue" is not a policy/],
      [["backfill", "app.tasks.hourly", "--from", "2026-11-28T20:00"], 2, /--from and --to are required/],
    ] as const) {
      const r = await cli([...args]);
      expect(r.code).toBe(code);
      expect(r.stderr).toMatch(says);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});
