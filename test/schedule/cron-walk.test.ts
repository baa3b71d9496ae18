// The compact cron walk must step exactly like cron-parser's iterator (which it replaces for
// memory, see src/schedule/cron-walk.ts): random expressions, random instants, both directions.
import { CronExpressionParser } from "cron-parser";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileWalk, cronParserWalk } from "../../src/schedule/cron-walk.js";

/** One cron field: *, a value, a range, a step, or a list of those, within [min, max]. */
const field = (min: number, max: number) => {
  const v = fc.integer({ min, max });
  const part = fc.oneof(
    v.map(String),
    fc.tuple(v, v).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc.tuple(fc.constantFrom("*", String(min)), fc.integer({ min: 1, max: Math.max(1, max - min) })).map(([s, n]) => `${s}/${n}`),
  );
  return fc.oneof({ weight: 2, arbitrary: fc.constant("*") }, { weight: 5, arbitrary: fc.array(part, { minLength: 1, maxLength: 3 }).map((p) => p.join(",")) });
};
const expression = fc
  .tuple(fc.boolean(), field(0, 59), field(0, 59), field(0, 23), field(1, 31), field(1, 12), field(0, 7))
  .map(([withSeconds, s, m, h, dom, mon, dow]) => `${withSeconds ? `${s} ` : ""}${m} ${h} ${dom} ${mon} ${dow}`);
// 1971 .. 2090, with sub-second parts and exact seconds both
const instant = fc.oneof(fc.integer({ min: 31_536_000_000, max: 3_786_825_600_000 }), fc.integer({ min: 31_536_000, max: 3_786_825_600 }).map((s) => s * 1000));

const parse = (e: string) => {
  try {
    return CronExpressionParser.parse(e, { tz: "UTC", currentDate: new Date(0) });
  } catch {
    return undefined; // cron-parser rejects it (e.g. 31 in February only): nothing to compare
  }
};

describe("compileWalk", () => {
  it("agrees with cron-parser on next and prev, three steps each way", () => {
    fc.assert(
      fc.property(expression, instant, (e, t) => {
        const cron = parse(e);
        if (!cron) return;
        const fast = compileWalk(cron);
        expect(fast, e).toBeDefined();
        const ref = cronParserWalk(parse(e)!);
        for (const dir of ["next", "prev"] as const) {
          let a: number | undefined = t;
          let b: number | undefined = t;
          for (let i = 0; i < 3 && a !== undefined; i++) {
            a = fast![dir](a);
            b = ref[dir](b!);
            expect(a, `${e} ${dir} from ${new Date(t).toISOString()} step ${i}`).toBe(b);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it("steps strictly past the instant, including exact seconds", () => {
    const walk = compileWalk(parse("* * * * * *")!)!;
    expect(walk.next(Date.UTC(2025, 0, 1, 0, 0, 0))).toBe(Date.UTC(2025, 0, 1, 0, 0, 1));
    expect(walk.next(Date.UTC(2025, 0, 1, 0, 0, 0) + 500)).toBe(Date.UTC(2025, 0, 1, 0, 0, 1));
    expect(walk.prev(Date.UTC(2025, 0, 1, 0, 0, 0))).toBe(Date.UTC(2024, 11, 31, 23, 59, 59));
    expect(walk.prev(Date.UTC(2025, 0, 1, 0, 0, 0) + 500)).toBe(Date.UTC(2025, 0, 1, 0, 0, 0));
  });

  it("finds a leap day across the 8-year gap of 2100 and crosses years backwards", () => {
    const walk = compileWalk(parse("0 12 29 2 *")!)!;
    expect(walk.next(Date.UTC(2096, 2, 1))).toBe(Date.UTC(2104, 1, 29, 12));
    expect(walk.prev(Date.UTC(2104, 1, 29, 12))).toBe(Date.UTC(2096, 1, 29, 12));
  });

  it("ORs day of month and weekday when both are restricted, like cron-parser", () => {
    // 2025-06-01 is a Sunday; "the 15th or any Monday"
    const walk = compileWalk(parse("0 0 15 * 1")!)!;
    expect(walk.next(Date.UTC(2025, 5, 1))).toBe(Date.UTC(2025, 5, 2));
    expect(walk.next(Date.UTC(2025, 5, 13))).toBe(Date.UTC(2025, 5, 15));
  });

  it("leaves L and # expressions to cron-parser", () => {
    expect(compileWalk(parse("0 0 L * *")!)).toBeUndefined();
    expect(compileWalk(parse("0 0 * * 5#3")!)).toBeUndefined();
    expect(compileWalk(parse("0 0 * * 5L")!)).toBeUndefined();
  });
});
