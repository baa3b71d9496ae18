/**
 * Messages that stay readable on hostile or careless input: duplicates summarized once, long
 * dotted paths quoted once and clipped, cron mistakes explained in the user's terms.
 */
import { describe, expect, it } from "vitest";
import { checkCronExpression } from "../../src/schedule/cron-check.js";
import { createTaskTable } from "../../src/tasks/task-loader.js";
import { validateHooks } from "../../src/hooks/validate.js";
import { SECURITY_HOOKS } from "./helpers.js";
import { dirname } from "node:path";

describe("hooks messages", () => {
  it("a task listed 100 000 times is one problem with the count", () => {
    const problems = validateHooks({ scheduler_events: { hourly: Array.from({ length: 100_000 }, () => "app.tasks.x") } }, "/app/hooks.ts", { unknownKeys: "all" });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toBe('duplicate entry "app.tasks.x": listed 100000 times (at indexes 0, 1, 2, 3, 4 and 99995 more); list each task once per event');
  });

  it("a 10 KB dotted path is quoted once, clipped", async () => {
    const long = `app.${"a".repeat(10_000)}.x`;
    const problems = validateHooks({ scheduler_events: { hourly: [`${long}/y`] } }, "/app/hooks.ts", { unknownKeys: "all" });
    expect(problems[0]!.message.length).toBeLessThan(400);
    const err = await createTaskTable(dirname(SECURITY_HOOKS)).resolve(long).catch((e: Error & { toLine(): string }) => e.toLine());
    expect(err.length).toBeLessThan(400);
    expect(err).toMatch(/\(10006 characters\): no such module/);
  });

  it("cron: a leading minus and @reboot get messages in the user's terms", () => {
    expect(checkCronExpression("-5 * * * *")).toMatch(/the minute field "-5" has a range with a missing end: a range is written from-to, e\.g\. 1-5/);
    expect(checkCronExpression("-5 * * * *")).not.toMatch(/NaN/);
    expect(checkCronExpression("@reboot")).toMatch(/"@reboot" is not supported: the scheduler fires on a clock/);
    expect(checkCronExpression("@fortnightly")).toMatch(/unknown alias "@fortnightly": use one of @yearly/);
    expect(checkCronExpression("@reboot")).not.toMatch(/reb"/);
  });
});
