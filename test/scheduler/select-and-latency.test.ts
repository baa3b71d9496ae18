import { describe, expect, it } from "vitest";
import { selectTasks } from "../../src/scheduler/select-tasks.js";
import { LatencyStats, summarize } from "../../src/scheduler/latency.js";
import type { ScheduledTask } from "../../src/hooks/types.js";

const t = (event: string, expression: string, method: string): ScheduledTask => ({
  id: `${event === "cron" ? `cron:${expression}` : event}|${method}`,
  event,
  expression,
  method,
  queue: "default",
  catchup: "latest",
  jitter: 0,
  kwargs: {},
  source: "test",
});
const tasks = [t("daily", "0 0 * * *", "a.x"), t("daily", "0 0 * * *", "a.y"), t("cron", "*/5 * * * *", "a.x"), t("hourly_long", "0 * * * *", "a.z")];

describe("selectTasks", () => {
  it("finds by event, cron expression (spacing ignored), dotted path and id", () => {
    expect(selectTasks(tasks, "daily")).toMatchObject({ kind: "event", tasks: [tasks[0], tasks[1]] });
    expect(selectTasks(tasks, "hourly_long").tasks).toEqual([tasks[3]]);
    expect(selectTasks(tasks, "*/5  * * * *")).toMatchObject({ kind: "cron", tasks: [tasks[2]] });
    expect(selectTasks(tasks, "a.x")).toMatchObject({ kind: "method", tasks: [tasks[0], tasks[2]] });
    expect(selectTasks(tasks, "daily|a.y")).toMatchObject({ kind: "id", tasks: [tasks[1]] });
  });
  it("names what exists when nothing matches", () => {
    expect(() => selectTasks(tasks, "weekly")).toThrow(/no event, cron expression or scheduled task "weekly"/);
    try {
      selectTasks(tasks, "weekly");
    } catch (err) {
      expect((err as { hint: string }).hint).toContain('known: daily, hourly_long, "*/5 * * * *"');
    }
  });
});

describe("latency summary", () => {
  it("nearest-rank percentiles over the last N values", () => {
    expect(summarize([])).toEqual({ count: 0 });
    expect(summarize(Array.from({ length: 100 }, (_, i) => i + 1))).toEqual({ count: 100, p50: 50, p99: 99, max: 100 });
    const ring = new LatencyStats(3);
    for (const v of [100, 1, 2, 3]) ring.add(v);
    expect(ring.summary()).toEqual({ count: 3, p50: 2, p99: 3, max: 3 });
  });
});
