/**
 * Which tasks a tick looks at (src/scheduler/quiet-index.ts): every task at a full read, else
 * the unmarked ones and the quiet ones whose next slot has come, in any order of next slots.
 */
import { describe, expect, it } from "vitest";
import type { ScheduledTask } from "../../src/hooks/types.js";
import { createQuietIndex, type QuietIndex, type TickSelection } from "../../src/scheduler/quiet-index.js";
import type { QuietMark, TickPlan } from "../../src/scheduler/plan-tick.js";

const task = (n: number): ScheduledTask => ({
  id: `cron:${n} * * * *|app.tasks.t${n}`,
  event: "cron",
  expression: `${n} * * * *`,
  method: `app.tasks.t${n}`,
  queue: "default",
  catchup: "latest",
  jitter: 0,
  kwargs: {},
  source: `test ${n}`,
});

const quietAll = (tasks: ScheduledTask[], next: (i: number) => number | undefined) => ({
  quiet: tasks.map((t, i) => ({ task: t, mark: { last: "0", next: next(i) } as QuietMark })),
  errors: [],
});

/** One tick planned in one slice: take its plan, then settle. */
const record = (q: QuietIndex, sel: TickSelection, plan: Pick<TickPlan, "quiet" | "errors">) => {
  q.take(sel, plan);
  return q.settle(sel);
};

describe("quiet index", () => {
  const tasks = Array.from({ length: 50 }, (_, i) => task(i));
  // next slots in shuffled order: task i is due at 1000 + ((i * 17) % 50) * 10
  const nextOf = (i: number) => 1000 + ((i * 17) % 50) * 10;

  it("reads every task first, then only the due ones, earliest first, and every fullReadMs", () => {
    const q = createQuietIndex(30_000);
    const first = q.select(tasks, 0, 1);
    expect(first).toMatchObject({ full: true, tasks });
    expect(record(q, first, quietAll(tasks, nextOf))).toBe(1000);

    const none = q.select(tasks, 999, 1);
    expect(none).toEqual({ full: false, tasks: [] });
    expect(record(q, none, { quiet: [], errors: [] })).toBe(1000);

    const due = q.select(tasks, 1025, 1);
    expect(due.full).toBe(false);
    expect(due.tasks.map((t) => nextOf(tasks.indexOf(t))).sort()).toEqual([1000, 1010, 1020]);
    // they fired: no mark until their next look, which is the next tick
    expect(record(q, due, { quiet: due.tasks.map((t) => ({ task: t, mark: undefined })), errors: [] })).toBe(1030);
    expect(q.select(tasks, 1026, 1).tasks).toHaveLength(3);

    expect(q.select(tasks, 31_000, 1).full).toBe(true);
  });

  it("reads every task again for a new lease, a new task list and a clock gone back", () => {
    const q = createQuietIndex(30_000);
    record(q, q.select(tasks, 5000, 1), quietAll(tasks, nextOf));
    expect(q.select(tasks, 5001, 1).full).toBe(false);
    expect(q.select(tasks, 5002, 2).full).toBe(true);
    expect(q.select(tasks, 5003, 2).full).toBe(false);
    expect(q.select([...tasks], 5004, 2).full).toBe(true);
    expect(q.select(tasks, 4000, 2).full).toBe(true);
  });

  it("a task whose slots could not be computed is looked at every tick; one that never fires again only at full reads", () => {
    const q = createQuietIndex(30_000);
    const [a, b] = [tasks[0]!, tasks[1]!];
    const list = [a, b];
    const sel = q.select(list, 0, 1);
    record(q, sel, { quiet: [{ task: b, mark: { last: "0", next: undefined } }], errors: [{ task: a, error: new Error("bad") }] });
    expect(q.select(list, 10, 1).tasks).toEqual([a]);
    expect(q.select(list, 1e9, 1).full).toBe(true);
  });

  it("a tick planned in slices ends as one planned at once", () => {
    const whole = createQuietIndex(30_000);
    const sliced = createQuietIndex(30_000);
    const all = quietAll(tasks, nextOf);
    expect(record(whole, whole.select(tasks, 0, 1), all)).toBe(1000);
    const sel = sliced.select(tasks, 0, 1);
    for (let i = 0; i < tasks.length; i += 7) sliced.take(sel, { quiet: all.quiet.slice(i, i + 7), errors: [] });
    expect(sliced.settle(sel)).toBe(1000);
    for (const at of [999, 1025, 1200, 1490]) {
      const [a, b] = [whole.select(tasks, at, 1), sliced.select(tasks, at, 1)];
      expect(b.tasks.map((t) => t.id).sort()).toEqual(a.tasks.map((t) => t.id).sort());
      const marks = (sel: TickSelection) => ({ quiet: sel.tasks.map((t) => ({ task: t, mark: { last: "1", next: at + 5000 } as QuietMark })), errors: [] });
      expect(record(sliced, b, marks(b))).toBe(record(whole, a, marks(a)));
    }
  });
});
