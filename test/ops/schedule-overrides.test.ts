/** overridesOf: what Redis holds that differs from the hooks file, per schedule (pure). */
import { describe, expect, it } from "vitest";
import { overridesOf } from "../../src/ops/schedule-overrides.js";
import type { InstalledSchedule } from "../../src/scheduler/schedule-install.js";

const task = { id: "daily|app.tasks.a", expression: "0 0 * * *", queue: "default", method: "app.tasks.a" };
const installedAs = (o: Partial<InstalledSchedule> = {}): Map<string, InstalledSchedule> =>
  new Map([[task.id, { id: task.id, event: "daily", expression: task.expression, queue: "default", method: "app.tasks.a", zone: "UTC", at: 1000, ...o }]]);

describe("overridesOf", () => {
  it("nothing differs: no override", () => {
    expect(overridesOf(task, "UTC", undefined, installedAs())).toEqual([]);
    expect(overridesOf(task, "UTC", undefined, new Map())).toEqual([]); // no daemon ran yet: nothing to compare
  });

  it("a pause, with who, why and since when", () => {
    expect(overridesOf(task, "UTC", { note: "disk full", by: "cli@box", at: 5, cause: "manual" }, installedAs())).toEqual([
      { kind: "paused", cause: "manual", note: "disk full", by: "cli@box", since: 5 },
    ]);
  });

  it("each installed field that differs, with both values and the install time", () => {
    expect(overridesOf(task, "Europe/Berlin", undefined, installedAs({ expression: "0 1 * * *" }))).toEqual([
      { kind: "installed", field: "expression", hooks: "0 0 * * *", running: "0 1 * * *", since: 1000 },
      { kind: "installed", field: "zone", hooks: "Europe/Berlin", running: "UTC", since: 1000 },
    ]);
  });

  it("a schedule the daemons were not given", () => {
    const other = new Map([["hourly|app.tasks.b", { ...installedAs().get(task.id)!, id: "hourly|app.tasks.b", at: 7 }]]);
    expect(overridesOf(task, "UTC", undefined, other)).toEqual([{ kind: "not-installed", since: 7 }]);
  });
});
