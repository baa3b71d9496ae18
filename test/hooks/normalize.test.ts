import { describe, expect, it } from "vitest";
import { eventExpression, normalizeHooks } from "../../src/hooks/normalize.js";

describe("normalizeHooks", () => {
  it("maps named events to expressions, queues, ids and sources", () => {
    const tasks = normalizeHooks({
      scheduler_events: {
        all: ["app.t.every"],
        hourly: ["app.t.hourly"],
        daily: ["app.t.daily"],
        weekly: ["app.t.weekly"],
        monthly: ["app.t.monthly"],
        yearly: ["app.t.yearly"],
        annual: ["app.t.annual"],
        daily_long: ["app.t.heavy"],
      },
    });
    expect(tasks.map((t) => [t.id, t.expression, t.queue, t.source])).toEqual([
      ["all|app.t.every", "@every 60", "default", "scheduler_events.all[0]"],
      ["hourly|app.t.hourly", "0 * * * *", "default", "scheduler_events.hourly[0]"],
      ["daily|app.t.daily", "0 0 * * *", "default", "scheduler_events.daily[0]"],
      ["weekly|app.t.weekly", "0 0 * * 1", "default", "scheduler_events.weekly[0]"],
      ["monthly|app.t.monthly", "0 0 1 * *", "default", "scheduler_events.monthly[0]"],
      ["yearly|app.t.yearly", "0 0 1 1 *", "default", "scheduler_events.yearly[0]"],
      ["annual|app.t.annual", "0 0 1 1 *", "default", "scheduler_events.annual[0]"],
      ["daily_long|app.t.heavy", "0 0 * * *", "long", "scheduler_events.daily_long[0]"],
    ]);
    for (const t of tasks) {
      expect(t.catchup).toBe("latest");
      expect(t.jitter).toBe(0);
      expect(t.kwargs).toEqual({});
      expect(t.timeout).toBeUndefined();
    }
  });

  it("cron and cron_long: expression kept, ids prefixed, queue default/long", () => {
    const tasks = normalizeHooks({
      scheduler_events: {
        cron: { "0 9 * * *": ["app.t.morning"], " */20 * * * * * ": ["app.t.fast"] },
        cron_long: { "0 3 * * 0": ["app.t.rebuild"] },
      },
    });
    expect(tasks.map((t) => [t.id, t.event, t.expression, t.queue, t.source])).toEqual([
      ["cron:0 9 * * *|app.t.morning", "cron", "0 9 * * *", "default", 'scheduler_events.cron["0 9 * * *"][0]'],
      ["cron:*/20 * * * * *|app.t.fast", "cron", "*/20 * * * * *", "default", 'scheduler_events.cron[" */20 * * * * * "][0]'],
      ["cron_long:0 3 * * 0|app.t.rebuild", "cron_long", "0 3 * * 0", "long", 'scheduler_events.cron_long["0 3 * * 0"][0]'],
    ]);
  });

  it("entry objects override queue, timeout, catchup, jitter, kwargs", () => {
    const [task] = normalizeHooks({
      scheduler_events: { daily: [{ method: "app.t.x", queue: "short", timeout: 9, catchup: { all: true }, jitter: 5, kwargs: { n: 1 } }] },
    });
    expect(task).toMatchObject({ id: "daily|app.t.x", queue: "short", timeout: 9, catchup: { all: true }, jitter: 5, kwargs: { n: 1 } });
  });

  it("scheduler_interval sets the `all` period; event_expressions override, and `_long` follows its base", () => {
    const hooks = { scheduler_interval: 15, event_expressions: { weekly: "0 0 * * 0", daily_long: "0 2 * * *" } };
    expect(eventExpression("all", hooks)).toBe("@every 15");
    expect(eventExpression("weekly", hooks)).toBe("0 0 * * 0");
    expect(eventExpression("weekly_long", hooks)).toBe("0 0 * * 0");
    expect(eventExpression("daily", hooks)).toBe("0 0 * * *");
    expect(eventExpression("daily_long", hooks)).toBe("0 2 * * *");
  });

  it("an empty or missing scheduler_events gives no tasks", () => {
    expect(normalizeHooks({})).toEqual([]);
    expect(normalizeHooks({ scheduler_events: { daily: [] } })).toEqual([]);
  });
});
