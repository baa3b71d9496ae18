/**
 * planTick without Redis: a tick's plan is a pure function of what the tick read and the
 * instant, so each case is a chosen (tasks, last slots, switches, pauses, now).
 */
import { describe, expect, it } from "vitest";
import type { ScheduledTask } from "../../src/hooks/types.js";
import type { CatchupPolicy } from "../../src/schedule/due.js";
import { planTick, type PlanInput, type QuietMark } from "../../src/scheduler/plan-tick.js";
import { cronTask } from "../helpers/scheduled-task.js";

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const ON = { enabled: true, paused: false };
const task = (name: string, expression = "0 * * * *", extra: Partial<ScheduledTask> & { catchup?: CatchupPolicy } = {}): ScheduledTask => cronTask(name, expression, extra);

/** A plan for `tasks`, each with its recorded slot (ms) or none. */
function plan(tasks: ScheduledTask[], last: Array<number | undefined>, now: number, more: Partial<PlanInput> = {}) {
  return planTick({
    tasks,
    lastSlots: last.map((s) => (s === undefined ? null : String(s))),
    pauses: tasks.map(() => null),
    switches: ON,
    now,
    zone: "UTC",
    firstSeen: () => undefined,
    ...more,
  });
}

describe("planTick", () => {
  it("nothing due: no fires, no skips, wakes at the next slot, and marks the task quiet", () => {
    const t = task("hourly");
    const p = plan([t], [at("2026-03-02T10:00:00Z")], at("2026-03-02T10:20:00Z"));
    expect(p.fires).toEqual([]);
    expect(p.skips).toEqual([]);
    expect(p.baselines).toEqual([]);
    expect(p.nextWake).toBe(at("2026-03-02T11:00:00Z"));
    expect(p.quiet).toEqual([{ task: t, mark: { last: String(at("2026-03-02T10:00:00Z")), next: at("2026-03-02T11:00:00Z") } }]);
  });

  it("one due slot fires on time (not a catch-up)", () => {
    const t = task("hourly");
    const p = plan([t], [at("2026-03-02T10:00:00Z")], at("2026-03-02T11:00:02Z"));
    expect(p.fires).toEqual([{ task: t, slots: [{ slot: at("2026-03-02T11:00:00Z"), catchup: false }], older: [] }]);
    expect(p.skips).toEqual([]);
    expect(p.nextWake).toBe(at("2026-03-02T12:00:00Z"));
    expect(p.quiet).toEqual([{ task: t, mark: undefined }]);
  });

  it("catch-up after downtime (latest): one run of the latest slot, the older ones one missed entry", () => {
    const t = task("hourly");
    const now = at("2026-03-02T15:30:00Z");
    const p = plan([t], [at("2026-03-02T10:00:00Z")], now);
    expect(p.fires).toHaveLength(1);
    expect(p.fires[0]!.slots).toEqual([{ slot: at("2026-03-02T15:00:00Z"), catchup: true }]);
    expect(p.fires[0]!.older).toEqual([
      { slot: at("2026-03-02T14:00:00Z"), at: now, outcome: "missed", catchup: true, count: 4, firstSlot: at("2026-03-02T11:00:00Z") },
    ]);
  });

  it("catch-up all: every missed slot, oldest first", () => {
    const t = task("hourly", "0 * * * *", { catchup: { all: true, window: "1d" } });
    const p = plan([t], [at("2026-03-02T10:00:00Z")], at("2026-03-02T13:00:01Z"));
    expect(p.fires[0]!.slots.map((s) => s.slot)).toEqual([at("2026-03-02T11:00:00Z"), at("2026-03-02T12:00:00Z"), at("2026-03-02T13:00:00Z")]);
    expect(p.fires[0]!.slots.map((s) => s.catchup)).toEqual([true, true, false]);
  });

  it("catchup none: an old slot is skipped (outside the catch-up window), with catchup true", () => {
    const t = task("hourly", "0 * * * *", { catchup: "none" });
    const now = at("2026-03-02T11:30:00Z");
    const p = plan([t], [at("2026-03-02T10:00:00Z")], now);
    expect(p.fires).toEqual([]);
    expect(p.skips).toEqual([
      { task: t, slot: at("2026-03-02T11:00:00Z"), entry: expect.objectContaining({ outcome: "skipped", reason: "outside-catchup-window", catchup: true, count: 1 }) },
    ]);
  });

  it("scheduler paused or disabled: due slots are skipped with that reason, nothing fires", () => {
    const t = task("hourly");
    const now = at("2026-03-02T12:00:01Z");
    for (const [switches, reason] of [
      [{ enabled: true, paused: true }, "paused"],
      [{ enabled: false, paused: false }, "disabled"],
      [{ enabled: false, paused: true }, "disabled"],
    ] as const) {
      const p = plan([t], [at("2026-03-02T10:00:00Z")], now, { switches });
      expect(p.fires).toEqual([]);
      expect(p.skips).toEqual([{ task: t, slot: at("2026-03-02T12:00:00Z"), entry: expect.objectContaining({ outcome: "skipped", reason, count: 2, firstSlot: at("2026-03-02T11:00:00Z") }) }]);
    }
  });

  it("a schedule paused one by one is skipped; the others fire", () => {
    const a = task("a");
    const b = task("b");
    const last = at("2026-03-02T10:00:00Z");
    const p = plan([a, b], [last, last], at("2026-03-02T11:00:01Z"), { pauses: ['{"by":"cli"}', null] });
    expect(p.fires.map((f) => f.task)).toEqual([b]);
    expect(p.skips).toEqual([{ task: a, slot: at("2026-03-02T11:00:00Z"), entry: expect.objectContaining({ reason: "paused" }) }]);
  });

  it("an `except` rule marks its slot excluded in the plan (the executor records it, not enqueues it)", () => {
    const t = task("daily", "0 9 * * *", { except: ["2026-12-25"] });
    const p = plan([t], [at("2026-12-24T09:00:00Z")], at("2026-12-25T09:00:01Z"));
    expect(p.fires[0]!.slots).toEqual([{ slot: at("2026-12-25T09:00:00Z"), catchup: false, excludedBy: "2026-12-25" }]);
  });

  it("a first-seen task gets a baseline and fires no past slot", () => {
    const t = task("hourly");
    const seen = at("2026-03-02T10:30:00Z");
    const p = plan([t], [undefined], at("2026-03-02T10:40:00Z"), { firstSeen: () => seen });
    expect(p.baselines).toEqual([{ task: t, slot: seen }]);
    expect(p.fires).toEqual([]);
    expect(p.quiet[0]!.mark).toEqual({ last: String(seen), next: at("2026-03-02T11:00:00Z") });
  });

  it("a quiet task whose record is unchanged is not walked again; its mark still sets the wake", () => {
    const t = task("hourly");
    const last = at("2026-03-02T10:00:00Z");
    const mark: QuietMark = { last: String(last), next: at("2026-03-02T11:00:00Z") };
    const p = plan([t], [last], at("2026-03-02T10:59:00Z"), { quiet: () => mark });
    expect(p).toMatchObject({ fires: [], skips: [], quiet: [], nextWake: at("2026-03-02T11:00:00Z") });
    // Reached its next slot: planned again.
    expect(plan([t], [last], at("2026-03-02T11:00:01Z"), { quiet: () => mark }).fires).toHaveLength(1);
    // Another daemon moved the record: planned again.
    const moved = plan([t], [at("2026-03-02T11:00:00Z")], at("2026-03-02T10:59:00Z"), { quiet: () => mark });
    expect(moved.quiet).toHaveLength(1);
  });

  it("next wake is the earliest next slot of all tasks", () => {
    const now = at("2026-03-02T10:20:00Z");
    const p = plan([task("hourly"), task("quarter", "*/15 * * * *"), task("daily", "0 0 * * *")], [now - MIN, now - MIN, now - MIN], now);
    expect(p.nextWake).toBe(at("2026-03-02T10:30:00Z"));
    expect(plan([], [], now).nextWake).toBeUndefined();
  });

  it("a task whose slots cannot be computed is reported; the others are planned", () => {
    const bad = task("bad", "0 * * * *", { catchup: { all: true, window: "soon" } });
    const good = task("good");
    const last = at("2026-03-02T10:00:00Z");
    const p = plan([bad, good], [last, last], at("2026-03-02T11:00:01Z"));
    expect(p.errors.map((e) => e.task)).toEqual([bad]);
    expect(p.fires.map((f) => f.task)).toEqual([good]);
  });

  it("is pure: the same input gives the same plan", () => {
    const input: PlanInput = {
      tasks: [task("a"), task("b", "*/5 * * * *")],
      lastSlots: [String(at("2026-03-02T08:00:00Z")), null],
      pauses: [null, null],
      switches: ON,
      now: at("2026-03-02T10:07:00Z"),
      zone: "Europe/Berlin",
      firstSeen: () => at("2026-03-02T09:00:00Z"),
    };
    expect(planTick(input)).toEqual(planTick(input));
  });
});
