// Hooks validation parses cron keys through the schedule cache (parseCanonicalCron) so 10 000
// entries are parsed once: the cached schedule must be the one parseSchedule would build.
import { CronExpressionParser } from "cron-parser";
import { describe, expect, it } from "vitest";
import { checkCronExpression } from "../../src/schedule/cron-check.js";
import { parseCanonicalCron, parseSchedule } from "../../src/schedule/schedule-expression.js";

/** cron-parser's own iterator and the periodic rule of schedule-expression.ts (hour `*`: all 24 hours), for comparison. */
const reference = (e: string) => {
  const cron = CronExpressionParser.parse(e, { tz: "UTC", currentDate: new Date(0) });
  return { periodic: cron.fields.hour.values.length === 24, cron };
};

describe("parseCanonicalCron: the cache hooks validation fills", () => {
  it("a cron key validated by the hooks checker is not parsed again, and fires the same", () => {
    const e = "17 */3 * * 2";
    expect(checkCronExpression(` ${e} `)).toBeUndefined();
    const s = parseSchedule(e);
    expect(s.kind).toBe("cron");
    if (s.kind !== "cron") return;
    expect(parseSchedule(` ${e}`)).toBe(s); // untrimmed keys reach the same entry
    expect(s.periodic).toBe(reference(e).periodic);
    const cron = reference(e).cron;
    let t = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 5; i++) {
      const next = s.walk.next(t);
      cron.reset(new Date(t));
      expect(next).toBe(cron.next().getTime());
      t = next!;
    }
  });

  it("keeps what parseSchedule already cached and ignores @every", () => {
    const e = "0 9 * * *";
    const first = parseSchedule(e);
    expect(parseCanonicalCron(e)).toBe(first);
    expect(parseSchedule(e)).toBe(first);
    expect(parseSchedule("@every 10s")).toMatchObject({ kind: "every", periodMs: 10_000 });
    expect(() => parseCanonicalCron("@every 10s")).toThrow();
    expect(checkCronExpression("@every 10s")).toMatch(/bad cron expression/);
    expect(parseSchedule("@every 10s")).toMatchObject({ kind: "every", periodMs: 10_000 });
  });

  it("an invalid key is not cached: the scheduler still reports it in its own words", () => {
    expect(checkCronExpression("61 * * * *")).toMatch(/bad cron expression "61 \* \* \* \*"/);
    expect(() => parseSchedule("61 * * * *")).toThrow(/invalid schedule "61 \* \* \* \*"/);
  });
});
