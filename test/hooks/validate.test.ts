/** Every validation rule, asserting each message names the file and the key path. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateHooks } from "../../src/hooks/validate.js";
import { problemLine, type Problem } from "../../src/base/problems.js";

// Under the working folder, so messages show it as `hooks.ts`, as a user running in their app sees it.
const FILE = join(process.cwd(), "hooks.ts");
const lines = (def: Record<string, unknown>, unknownKeys: "all" | "typos" = "all") => validateHooks(def, FILE, { unknownKeys }).map(problemLine);
const one = (def: Record<string, unknown>): string => {
  const found = lines(def);
  expect(found).toHaveLength(1);
  expect(found[0]).toContain("hooks.ts: ");
  return found[0]!;
};

describe("validateHooks", () => {
  it("accepts a full, correct definition", () => {
    const problems: Problem[] = validateHooks(
      {
        scheduler_events: {
          all: ["my_app.tasks.process_queue"],
          daily: ["my_app.tasks.daily_report", { method: "my_app.tasks.other", queue: "short", timeout: 10, jitter: 0, catchup: "none", kwargs: { a: [1, "x", null] } }],
          weekly_long: [{ method: "my_app.tasks.weekly", catchup: { all: true, window: "6h" } }],
          cron: { "0 9 * * *": ["my_app.tasks.morning"], "*/20 * * * * *": [{ method: "my_app.tasks.fast", queue: "mine" }] },
          cron_long: { "@daily": ["my_app.deep.module.fn"] },
        },
        event_expressions: { weekly: "0 0 * * 0" },
        timezone: "Europe/Berlin",
        scheduler_interval: 30,
        redis: "redis://127.0.0.1:6379/2",
        prefix: "app-1",
        log_level: "debug",
        app_root: "src",
        queues: { long: { timeout: 3000 }, mine: { timeout: 60, workers: 2, concurrency: 4, rateLimit: { max: 10, per: 60 } } },
        retention: { finished: 60, failed: 3600 },
        job_failure_handlers: ["my_app.alerts.on_failure"],
      },
      FILE,
      { unknownKeys: "all" },
    );
    expect(problems).toEqual([]);
  });

  it("unknown event: names file and key, suggests the closest, lists the allowed", () => {
    const line = one({ scheduler_events: { dayly: ["my_app.tasks.x"] } });
    expect(line).toBe(
      'hooks.ts: scheduler_events.dayly: unknown event "dayly" (did you mean "daily"?); allowed: all, hourly, daily, weekly, monthly, yearly, annual, hourly_long, daily_long, weekly_long, monthly_long, yearly_long, annual_long, hourly_maintenance, daily_maintenance, cron, cron_long',
    );
  });

  it("a list where a map is needed (cron: [...])", () => {
    expect(one({ scheduler_events: { cron: ["my_app.tasks.x"] } })).toMatch(/^hooks\.ts: scheduler_events\.cron: is a list where a map is needed; write cron: \{ "0 9 \* \* \*"/);
    expect(one({ scheduler_events: { cron_long: "x" } })).toMatch(/scheduler_events\.cron_long: must be a map of cron expression/);
  });

  it("a map where a list is needed", () => {
    expect(one({ scheduler_events: { daily: { "my_app.tasks.x": true } } })).toMatch(/^hooks\.ts: scheduler_events\.daily: is a map where a list is needed/);
    expect(one({ scheduler_events: { cron: { "0 9 * * *": { a: 1 } } } })).toMatch(/scheduler_events\.cron\["0 9 \* \* \*"\]: is a map where a list is needed/);
    expect(one({ scheduler_events: { hourly: "my_app.tasks.x" } })).toMatch(/scheduler_events\.hourly: must be a list of dotted paths/);
    expect(one({ scheduler_events: ["my_app.tasks.x"] })).toMatch(/^hooks\.ts: scheduler_events: must be a map of event name/);
  });

  it("values that are not dotted paths", () => {
    expect(one({ scheduler_events: { daily: ["report"] } })).toMatch(/scheduler_events\.daily\[0\]: "report" names no module/);
    expect(one({ scheduler_events: { daily: ["my_app..x"] } })).toMatch(/daily\[0\]: "my_app\.\.x" has an empty segment/);
    expect(one({ scheduler_events: { daily: ["/etc/passwd.x"] } })).toMatch(/daily\[0\]: "\/etc\/passwd\.x" is a file path/);
    expect(one({ scheduler_events: { daily: ["my-app.tasks.x"] } })).toMatch(/segment "my-app" is not an identifier/);
    expect(one({ scheduler_events: { daily: [42] } })).toMatch(/daily\[0\]: must be a dotted path string or \{ method/);
    expect(one({ scheduler_events: { daily: [{ method: "x" }] } })).toMatch(/daily\[0\]\.method: "x" names no module/);
    expect(one({ job_failure_handlers: ["nope"] })).toMatch(/job_failure_handlers\[0\]: "nope" names no module/);
  });

  it("duplicate entries in one event or cron key", () => {
    expect(one({ scheduler_events: { daily: ["my_app.tasks.x", "my_app.tasks.y", { method: "my_app.tasks.x" }] } })).toBe(
      'hooks.ts: scheduler_events.daily[2]: duplicate entry "my_app.tasks.x" (also at index 0); list each task once per event',
    );
    expect(one({ scheduler_events: { cron: { "* * * * *": ["a.b", "a.b"] } } })).toMatch(/cron\["\* \* \* \* \*"\]\[1\]: duplicate entry "a\.b"/);
    // The same method in two different events is fine.
    expect(lines({ scheduler_events: { daily: ["a.b"], hourly: ["a.b"] } })).toEqual([]);
  });

  it("unknown queue names, with custom queues from `queues` allowed", () => {
    expect(one({ scheduler_events: { daily: [{ method: "a.b", queue: "shrot" }] } })).toMatch(
      /daily\[0\]\.queue: unknown queue "shrot" \(did you mean "short"\?\); allowed: short, default, long/,
    );
    expect(lines({ scheduler_events: { daily: [{ method: "a.b", queue: "mine" }] }, queues: { mine: {} } })).toEqual([]);
  });

  it("bad cron expressions carry the expression and the parser's reason", () => {
    expect(one({ scheduler_events: { cron: { "61 * * * *": ["a.b"] } } })).toMatch(
      /^hooks\.ts: scheduler_events\.cron\["61 \* \* \* \*"\]: bad cron expression "61 \* \* \* \*": Constraint error, got value 61 expected range 0-59/,
    );
    expect(one({ scheduler_events: { cron: { "* * * *": ["a.b"] } } })).toMatch(/bad cron expression "\* \* \* \*": it has 4 fields/);
    expect(one({ scheduler_events: { cron_long: { "0 0 30 2 *": ["a.b"] } } })).toMatch(/cron_long\["0 0 30 2 \*"\]: bad cron expression/);
    expect(one({ event_expressions: { weekly: "every monday" } })).toMatch(/event_expressions\.weekly: bad cron expression "every monday"/);
    expect(one({ event_expressions: { wekly: "0 0 * * 0" } })).toMatch(/event_expressions\.wekly: unknown event "wekly" \(did you mean "weekly"\?\)/);
  });

  it("bad timezone", () => {
    expect(one({ timezone: "Europe/Berln" })).toMatch(/^hooks\.ts: timezone: "Europe\/Berln" is not an IANA time zone/);
  });

  it("bad entry objects: unknown keys and wrong types", () => {
    expect(one({ scheduler_events: { daily: [{ method: "a.b", qeue: "long" }] } })).toMatch(/daily\[0\]\.qeue: unknown entry key "qeue" \(did you mean "queue"\?\)/);
    expect(one({ scheduler_events: { daily: [{ queue: "long" }] } })).toMatch(/daily\[0\]: has no "method"/);
    expect(one({ scheduler_events: { daily: [{ method: "a.b", kwargs: [1] }] } })).toMatch(/daily\[0\]\.kwargs: must be a plain object/);
    expect(one({ scheduler_events: { daily: [{ method: "a.b", kwargs: { when: new Date() } }] } })).toMatch(/daily\[0\]\.kwargs: kwargs\.when does not survive JSON/);
    expect(one({ scheduler_events: { daily: [{ method: "a.b", timeout: "10" }] } })).toMatch(/daily\[0\]\.timeout: "10" is not a number of seconds > 0/);
  });

  it("bad catchup values", () => {
    expect(one({ scheduler_events: { daily: [{ method: "a.b", catchup: "all" }] } })).toMatch(/daily\[0\]\.catchup: "all" is not a catch-up policy; use "latest"/);
    expect(one({ scheduler_events: { daily: [{ method: "a.b", catchup: { all: true, window: "forever" } }] } })).toMatch(/catchup: window "forever" is not seconds/);
    expect(lines({ scheduler_events: { daily: [{ method: "a.b", catchup: { all: true, window: 3600 } }] } })).toEqual([]);
  });

  it("negative timeout and jitter", () => {
    expect(one({ scheduler_events: { daily: [{ method: "a.b", timeout: -5 }] } })).toMatch(/daily\[0\]\.timeout: -5 is not a number of seconds > 0/);
    expect(one({ scheduler_events: { daily: [{ method: "a.b", jitter: -1 }] } })).toMatch(/daily\[0\]\.jitter: -1 is not a number of seconds >= 0/);
    expect(one({ queues: { long: { timeout: -1 } } })).toMatch(/^hooks\.ts: queues\.long\.timeout: -1 is not a number of seconds > 0/);
    expect(one({ queues: { mine: { workers: 1.5 } } })).toMatch(/queues\.mine\.workers: 1\.5 is not a whole number/);
    expect(one({ queues: { mine: { timout: 5 } } })).toMatch(/queues\.mine\.timout: unknown queue setting "timout" \(did you mean "timeout"\?\)/);
  });

  it("other top-level settings", () => {
    expect(one({ scheduler_interval: 0.5 })).toMatch(/scheduler_interval: 0\.5 is not a whole number of seconds >= 1/);
    expect(one({ redis: "http://x" })).toMatch(/^hooks\.ts: redis: "http:\/\/x" has scheme "http:"/);
    expect(one({ prefix: "a{b}" })).toMatch(/prefix: key prefix "a\{b\}" is not allowed/);
    expect(one({ log_level: "loud" })).toMatch(/log_level: "loud" is not a log level/);
    expect(one({ retention: { finshed: 5 } })).toMatch(/retention\.finshed: unknown key "finshed" \(did you mean "finished"\?\)/);
  });

  it("unknown top-level keys, with suggestion; named exports only flag near-misses", () => {
    expect(one({ schedular_events: {} })).toMatch(/^hooks\.ts: schedular_events: unknown key "schedular_events" \(did you mean "scheduler_events"\?\)/);
    expect(one({ app_name: "x" })).toMatch(/unknown key "app_name"/);
    expect(lines({ app_name: "x", helper: () => 1 }, "typos")).toEqual([]);
    expect(lines({ timezon: "UTC" }, "typos")).toEqual([expect.stringMatching(/timezon: unknown key "timezon" \(did you mean "timezone"\?\)/)]);
  });

  it("collects every problem rather than stopping at the first", () => {
    const found = lines({
      scheduler_events: { dayly: ["a.b"], cron: ["a.b"], daily: ["nodots", "a.b", "a.b"], hourly: [{ method: "a.b", queue: "nope", jitter: -1 }] },
      timezone: "Nowhere/Land",
      queues: { long: { timeout: 0 } },
      extra: 1,
    });
    expect(found).toHaveLength(9);
    for (const l of found) expect(l.startsWith("hooks.ts: ")).toBe(true);
  });
});
