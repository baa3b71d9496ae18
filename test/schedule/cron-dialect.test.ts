/**
 * The cron Frappe users write (croniter's dialect) fires at the instants croniter gives it:
 * each form against expected instants, as the hooks loader reads it (normalizeHooks) and as the
 * scheduler walks it (nextFires).
 */
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { canonicalCron, meansOtherInOtherDialect } from "../../src/schedule/cron-dialect.js";
import { cronDialectWarnings } from "../../src/hooks/cron-dialect-warnings.js";
import { checkCronExpression } from "../../src/schedule/cron-check.js";
import { normalizeHooks } from "../../src/hooks/normalize.js";
import { validateHooks } from "../../src/hooks/validate.js";
import type { HooksDefinition } from "../../src/hooks/types.js";
import { nearestWeekdayOf } from "../../src/schedule/cron-walk.js";
import { nextFires } from "../../src/schedule/next-fire.js";
import { selectTasks } from "../../src/scheduler/select-tasks.js";

const iso = (ms: number, zone = "UTC") => DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true });
const fires = (written: string, from: string, n: number, o: { zone?: string; seconds?: "first" | "last" } = {}) =>
  nextFires(canonicalCron(written, { seconds: o.seconds }), o.zone ?? "UTC", DateTime.fromISO(from, { zone: o.zone ?? "UTC" }).toMillis() - 1, n).map((t) => iso(t, o.zone));

describe("croniter's forms are accepted with croniter's meaning", () => {
  it("0 and 7 are both Sunday, also together (0,7)", () => {
    expect(checkCronExpression("0 0 * * 0,7")).toBeUndefined();
    expect(fires("0 0 * * 0,7", "2026-01-01", 3)).toEqual(["2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z", "2026-01-18T00:00:00Z"]);
    expect(fires("0 0 * * 7", "2026-01-01", 1)).toEqual(["2026-01-04T00:00:00Z"]);
  });

  it("wrap-around ranges: FRI-MON in days of week, 22-2 in hours, with a step", () => {
    expect(checkCronExpression("0 9 * * FRI-MON")).toBeUndefined();
    // 2026-01-01 is a Thursday: Fri, Sat, Sun, Mon, then Fri again.
    expect(fires("0 9 * * FRI-MON", "2026-01-01", 5)).toEqual([
      "2026-01-02T09:00:00Z",
      "2026-01-03T09:00:00Z",
      "2026-01-04T09:00:00Z",
      "2026-01-05T09:00:00Z",
      "2026-01-09T09:00:00Z",
    ]);
    expect(fires("0 22-2 * * *", "2026-01-01T12:00", 6)).toEqual([
      "2026-01-01T22:00:00Z",
      "2026-01-01T23:00:00Z",
      "2026-01-02T00:00:00Z",
      "2026-01-02T01:00:00Z",
      "2026-01-02T02:00:00Z",
      "2026-01-02T22:00:00Z",
    ]);
    expect(canonicalCron("0 22-4/2 * * *")).toBe("0 22,0,2,4 * * *");
    expect(canonicalCron("0 0 * NOV-FEB *")).toBe("0 0 * 11,12,1,2 *");
  });

  it("nW: the weekday nearest to day n, never leaving the month", () => {
    expect(checkCronExpression("0 0 15W * *")).toBeUndefined();
    // 2026-02-15 and 2026-03-15 are Sundays (-> Monday 16), 2026-08-15 a Saturday (-> Friday 14).
    expect(fires("0 0 15W * *", "2026-02-01", 3)).toEqual(["2026-02-16T00:00:00Z", "2026-03-16T00:00:00Z", "2026-04-15T00:00:00Z"]);
    expect(fires("0 0 15W * *", "2026-08-01", 1)).toEqual(["2026-08-14T00:00:00Z"]);
    expect(nearestWeekdayOf(2026, 8, 1)).toBe(3); // Saturday the 1st -> Monday the 3rd, not July 31
    expect(nearestWeekdayOf(2026, 5, 31)).toBe(29); // Sunday the 31st (last day) -> Friday the 29th
    expect(nearestWeekdayOf(2026, 4, 31)).toBe(-1); // April has no 31st: skipped, like "31"
    expect(checkCronExpression("0 0 15W * 1")).toMatch(/cannot be combined with a day of week/);
  });

  it("L5 is the last Friday of the month", () => {
    expect(checkCronExpression("0 0 * * L5")).toBeUndefined();
    expect(fires("0 0 * * L5", "2026-01-01", 2)).toEqual(["2026-01-30T00:00:00Z", "2026-02-27T00:00:00Z"]);
  });

  it("@midnight is @daily; an unknown alias says so, not 'cannot resolve alias \"mid\"'", () => {
    expect(checkCronExpression("@midnight")).toBeUndefined();
    expect(fires("@midnight", "2026-01-01T12:00", 1)).toEqual(["2026-01-02T00:00:00Z"]);
    const bad = checkCronExpression("@midnite");
    expect(bad).toMatch(/unknown alias "@midnite": use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <seconds>/);
    expect(bad).not.toMatch(/resolve alias/);
  });
});

describe("cron_seconds", () => {
  const def = (seconds: "first" | "last" | undefined, expression: string): HooksDefinition => ({
    scheduler_events: { cron: { [expression]: ["app.tasks.t"] } },
    ...(seconds ? { cron_seconds: seconds } : {}),
  });

  it('"last" reads a Frappe 6-field cron with its seconds last: * * * * * */15 is every 15 s', () => {
    const [task] = normalizeHooks(def("last", "* * * * * */15"));
    expect(task!.expression).toBe("*/15 * * * * *");
    expect(fires("* * * * * */15", "2026-01-01", 3, { seconds: "last" })).toEqual(["2026-01-01T00:00:00Z", "2026-01-01T00:00:15Z", "2026-01-01T00:00:30Z"]);
    // Read seconds first (the default) the same text is every second, on Sundays only.
    expect(fires("* * * * * */15", "2026-01-01", 2)).toEqual(["2026-01-04T00:00:00Z", "2026-01-04T00:00:01Z"]);
  });

  it("validation reads the configured dialect, and refuses a value other than first or last", () => {
    // Minute 0, hour 9, Mondays, second 30 read seconds last; seconds first its weekday would be 30.
    const check = (seconds: "first" | "last") => validateHooks(def(seconds, "0 9 * * 1 30") as Record<string, unknown>, "hooks.ts", { unknownKeys: "all" });
    expect(check("last")).toEqual([]);
    expect(check("first").map((p) => p.message)).toEqual([expect.stringMatching(/^bad cron expression "0 9 \* \* 1 30": .*6 with seconds first/)]);
    const problems = validateHooks({ ...def(undefined, "0 9 * * *"), cron_seconds: "end" } as never, "hooks.ts", { unknownKeys: "all" });
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/must be "first" .* or "last"/)]);
  });

  it("doctor and start warn when a 6-field expression means something else in the other dialect", () => {
    expect(meansOtherInOtherDialect("* * * * * */15", "first")).toBe(true);
    expect(meansOtherInOtherDialect("0 0 * * * *", "last")).toBe(true);
    expect(meansOtherInOtherDialect("* * * * * *", "first")).toBe(false);
    expect(meansOtherInOtherDialect("0 9 * * *", "first")).toBe(false);
    const [w, ...rest] = cronDialectWarnings(def(undefined, "* * * * * */15"));
    expect(rest).toEqual([]);
    expect(w!.message).toBe(
      'scheduler_events.cron["* * * * * */15"]: 6 fields read with seconds first (from 2026-01-01 UTC: 2026-01-04T00:00:00Z, 2026-01-04T00:00:01Z, 2026-01-04T00:00:02Z); ' +
        "with seconds last it would mean 2026-01-01T00:00:15Z, 2026-01-01T00:00:30Z, 2026-01-01T00:00:45Z",
    );
    expect(w!.fix).toMatch(/set cron_seconds: "last" .* set cron_seconds: "first" to say so/);
    // Once the hooks file says which order it means, the choice is made: no warning.
    expect(cronDialectWarnings(def("last", "* * * * * */15"))).toEqual([]);
    expect(cronDialectWarnings(def("first", "* * * * * */15"))).toEqual([]);
    expect(cronDialectWarnings(def(undefined, "* * * * * *"))).toEqual([]);
  });
});

describe("H fields are seeded by the task id", () => {
  const hooks: HooksDefinition = { scheduler_events: { cron: { "H 3 * * *": ["app.tasks.a", "app.tasks.b"], "H H * * *": ["app.tasks.a"] } } };

  it("the same task gets the same slot on every load; different tasks are spread", () => {
    const first = normalizeHooks(hooks).map((t) => t.expression);
    for (let i = 0; i < 5; i++) expect(normalizeHooks(hooks).map((t) => t.expression)).toEqual(first);
    expect(first[0]).toMatch(/^\d+ 3 \* \* \*$/);
    expect(first[2]).toMatch(/^\d+ \d+ \* \* \*$/);
    // 60 minutes for two ids: equal only by a 1-in-60 chance, fixed by the seed (not random).
    const seeds = Array.from({ length: 20 }, (_, i) => canonicalCron("H 3 * * *", { seed: `cron:H 3 * * *|app.tasks.t${i}` }));
    expect(new Set(seeds).size).toBeGreaterThan(5);
  });
});

describe("DST: only hour * is periodic; */2 runs a gap slot at the first instant after the gap", () => {
  const zone = "Europe/Berlin";
  it("0 */2 * * * on Berlin's spring-forward day: 00:00 CET, 03:00 CEST, 04:00 CEST", () => {
    expect(fires("0 */2 * * *", "2025-03-30T00:00", 4, { zone })).toEqual([
      "2025-03-30T00:00:00+01:00",
      "2025-03-30T03:00:00+02:00",
      "2025-03-30T04:00:00+02:00",
      "2025-03-30T06:00:00+02:00",
    ]);
  });
  it("0 */2 * * * on the fall-back day runs 02:00 once (its first occurrence)", () => {
    expect(fires("0 */2 * * *", "2025-10-26T00:00", 3, { zone })).toEqual(["2025-10-26T00:00:00+02:00", "2025-10-26T02:00:00+02:00", "2025-10-26T04:00:00+01:00"]);
  });
  it("hourly (hour *) still follows real time: no 02:00 on the short day", () => {
    expect(fires("0 * * * *", "2025-03-30T01:00", 2, { zone })).toEqual(["2025-03-30T01:00:00+01:00", "2025-03-30T03:00:00+02:00"]);
  });
});

describe("trigger and why name a cron by the key as written", () => {
  it("selects H and seconds-last keys by their written text, and lists them so", () => {
    const tasks = normalizeHooks({ cron_seconds: "last", scheduler_events: { cron: { "H 3 * * *": ["app.tasks.a"], "* * * * * */15": ["app.tasks.b"] } } });
    expect(selectTasks(tasks, "H 3 * * *").tasks.map((t) => t.method)).toEqual(["app.tasks.a"]);
    expect(selectTasks(tasks, "*  * * * * */15").tasks.map((t) => t.method)).toEqual(["app.tasks.b"]);
    expect(() => selectTasks(tasks, "weekly")).toThrow(expect.objectContaining({ hint: expect.stringContaining('"H 3 * * *", "* * * * * */15"') }));
  });
});
