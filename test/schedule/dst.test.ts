/**
 * The DST policy of next-fire.ts (docs/dst.md), for Europe/Berlin, America/New_York and
 * Australia/Lord_Howe (a 30-minute shift), on the 2025 change days; then a property test against
 * an independent minute-by-minute oracle of the same policy.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CronExpressionParser } from "cron-parser";
import { DateTime, Info } from "luxon";
import { nextFire, nextFires, prevFire } from "../../src/schedule/next-fire.js";

const local = (text: string, zone: string) => DateTime.fromISO(text, { zone }).toMillis();
const show = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true });
/** Every slot in [from, to). */
const between = (expr: string, zone: string, from: number, to: number) => {
  const out: number[] = [];
  for (let t = nextFire(expr, zone, from - 1); t !== undefined && t < to; t = nextFire(expr, zone, t)) out.push(t);
  return out;
};

const ZONES = {
  berlin: { zone: "Europe/Berlin", spring: "2025-03-30", fall: "2025-10-26" },
  newYork: { zone: "America/New_York", spring: "2025-03-09", fall: "2025-11-02" },
  lordHowe: { zone: "Australia/Lord_Howe", spring: "2025-10-05", fall: "2025-04-06" },
};

describe.each(Object.entries(ZONES))("%s", (_name, { zone, spring, fall }) => {
  const dayStart = (d: string) => local(`${d}T00:00`, zone);
  const nextDay = (d: string) => DateTime.fromISO(d, { zone }).plus({ days: 1 }).toMillis();

  it("a daily job runs exactly once on the short and on the long day", () => {
    for (const day of [spring, fall]) {
      const slots = between("0 0 * * *", zone, dayStart(day), nextDay(day));
      expect(slots.map((t) => show(t, zone))).toEqual([show(dayStart(day), zone)]);
    }
    const hours = (day: string) => (nextDay(day) - dayStart(day)) / 3_600_000;
    expect(hours(spring)).toBeLessThan(24);
    expect(hours(fall)).toBeGreaterThan(24);
  });

  it("a fixed-time slot in the gap runs once, at the first valid instant after it", () => {
    // The wall time just inside the gap: 02:15 in every zone here (Lord Howe's gap is 02:00-02:30).
    const slots = between("15 2 * * *", zone, dayStart(spring), nextDay(spring));
    expect(slots).toHaveLength(1);
    const t = slots[0]!;
    // It is the end of the gap: one ms earlier the offset is the winter one.
    const dt = DateTime.fromMillis(t, { zone });
    expect(DateTime.fromMillis(t - 1, { zone }).offset).toBeLessThan(dt.offset);
    expect(dt.toFormat("HH:mm")).toBe(zone === "Australia/Lord_Howe" ? "02:30" : "03:00");
  });

  it("a fixed-time slot in the repeated hour runs once, at the first occurrence", () => {
    const slots = between("45 1 * * *", zone, dayStart(fall), nextDay(fall));
    expect(slots).toHaveLength(1);
    const dt = DateTime.fromMillis(slots[0]!, { zone });
    expect(dt.toFormat("HH:mm")).toBe("01:45");
    // The first occurrence has the summer (larger) offset.
    expect(dt.offset).toBe(DateTime.fromMillis(dayStart(fall), { zone }).offset);
  });

  it("hourly neither doubles nor vanishes: one slot per wall hour that exists, both passes of a repeated one", () => {
    const short = between("0 * * * *", zone, dayStart(spring), nextDay(spring));
    const long = between("0 * * * *", zone, dayStart(fall), nextDay(fall));
    if (zone === "Australia/Lord_Howe") {
      // A 30-minute shift: 02:00 does not exist in spring, and no whole hour repeats in autumn.
      expect(short).toHaveLength(23);
      expect(long).toHaveLength(24);
    } else {
      expect(short).toHaveLength(23);
      expect(long).toHaveLength(25);
    }
    for (const slots of [short, long]) {
      const gaps = slots.slice(1).map((t, i) => t - slots[i]!);
      // Never two slots within one real hour; never more than 90 real minutes apart.
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(3_600_000);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(5_400_000);
    }
  });

  it("*/15 follows real time: runs both passes of the repeated interval, none inside the gap", () => {
    const long = between("*/15 * * * *", zone, dayStart(fall), nextDay(fall));
    const short = between("*/15 * * * *", zone, dayStart(spring), nextDay(spring));
    const realMinutes = (day: string) => (nextDay(day) - dayStart(day)) / 60_000;
    expect(long).toHaveLength(realMinutes(fall) / 15);
    expect(short).toHaveLength(realMinutes(spring) / 15);
    expect(new Set(long.map((t, i) => (i ? t - long[i - 1]! : 900_000)))).toEqual(new Set([900_000]));
  });
});

describe("named examples", () => {
  it("Berlin 02:30 on the spring-forward day runs at 03:00 CEST", () => {
    const t = nextFire("30 2 * * *", "Europe/Berlin", local("2025-03-29T12:00", "Europe/Berlin"))!;
    expect(show(t, "Europe/Berlin")).toBe("2025-03-30T03:00:00+02:00");
  });
  it("Berlin hourly on the fall-back day fires 02:00 CEST and 02:00 CET", () => {
    const slots = nextFires("0 * * * *", "Europe/Berlin", Date.parse("2025-10-25T23:30:00Z"), 3);
    expect(slots.map((t) => show(t, "Europe/Berlin"))).toEqual([
      "2025-10-26T02:00:00+02:00",
      "2025-10-26T02:00:00+01:00",
      "2025-10-26T03:00:00+01:00",
    ]);
  });
  it("New York 01:30 on the fall-back day runs once, at EDT", () => {
    const slots = nextFires("30 1 * * *", "America/New_York", Date.parse("2025-11-01T12:00:00Z"), 2);
    expect(slots.map((t) => show(t, "America/New_York"))).toEqual(["2025-11-02T01:30:00-04:00", "2025-11-03T01:30:00-05:00"]);
  });
  it("fixed hours with wildcard minutes: the gap collapses into one run, the repeat runs once", () => {
    const spring = between("*/10 2 * * *", "Europe/Berlin", local("2025-03-30T00:00", "Europe/Berlin"), local("2025-03-31T00:00", "Europe/Berlin"));
    expect(spring.map((t) => show(t, "Europe/Berlin"))).toEqual(["2025-03-30T03:00:00+02:00"]);
    const fall = between("*/10 2 * * *", "Europe/Berlin", local("2025-10-26T00:00", "Europe/Berlin"), local("2025-10-27T00:00", "Europe/Berlin"));
    expect(fall).toHaveLength(6);
    expect(new Set(fall.map((t) => DateTime.fromMillis(t, { zone: "Europe/Berlin" }).offset))).toEqual(new Set([120]));
  });
  it("prevFire inside the second pass of a repeated hour", () => {
    const t = Date.parse("2025-10-26T01:20:00Z"); // 02:20 CET, second pass
    expect(show(prevFire("*/15 * * * *", "Europe/Berlin", t)!, "Europe/Berlin")).toBe("2025-10-26T02:15:00+01:00");
    expect(show(prevFire("0 2 * * *", "Europe/Berlin", t)!, "Europe/Berlin")).toBe("2025-10-26T02:00:00+02:00");
    expect(show(nextFire("*/15 * * * *", "Europe/Berlin", Date.parse("2025-10-26T00:50:00Z"))!, "Europe/Berlin")).toBe(
      "2025-10-26T02:00:00+01:00",
    );
  });
});

/**
 * The oracle: walk real minutes; a minute is a slot when its wall time matches the expression
 * and (the schedule is periodic, or this is the first occurrence of that wall time); for fixed
 * schedules, a gap whose skipped wall minutes match adds one slot at the gap's end.
 */
function oracle(expr: string, zone: string, from: number, to: number, periodic: boolean): number[] {
  // Every matching wall minute of the window (walls lie within a day of their instants).
  const cron = CronExpressionParser.parse(expr, { tz: "UTC", currentDate: new Date(from - 86_400_000) });
  const walls = new Set<number>();
  for (let w = cron.next().getTime(); w < to + 86_400_000; w = cron.next().getTime()) walls.add(w);
  const matches = (wall: number) => walls.has(wall);
  const z = Info.normalizeZone(zone);
  const offsets = new Map<number, number>();
  const off = (t: number) => {
    let o = offsets.get(t);
    if (o === undefined) offsets.set(t, (o = z.offset(t) * 60_000));
    return o;
  };
  const out: number[] = [];
  for (let t = from; t <= to; t += 60_000) {
    const o = off(t);
    const prevO = off(t - 60_000);
    if (o > prevO && !periodic) {
      // t ends a gap of skipped wall minutes [t - 60000 + prevO + 60000, t + o).
      for (let w = t + prevO; w < t + o; w += 60_000) if (matches(w)) { out.push(t); break; }
    }
    if (!matches(t + o)) continue;
    const repeat = [30, 60, 120].some((m) => off(t - m * 60_000) - o === m * 60_000);
    if (repeat && !periodic) continue;
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

describe("property: nextFire and prevFire agree with the oracle near every 2025 change", () => {
  const cases: Array<[string, boolean]> = [
    ["0 * * * *", true],
    ["30 * * * *", true],
    ["*/15 * * * *", true],
    ["0 */2 * * *", false],
    ["0 */3 * * *", false],
    ["30 2 * * *", false],
    ["0 2 * * *", false],
    ["45 1 * * *", false],
    ["0 0 * * *", false],
    ["15 2,3 * * *", false],
    ["*/20 1-3 * * *", false],
  ];
  const changes = Object.values(ZONES).flatMap(({ zone, spring, fall }) =>
    [spring, fall].map((d) => ({ zone, day: DateTime.fromISO(d, { zone }).toMillis() })),
  );
  it.each(cases)("%s", (expr, periodic) => {
    for (const { zone, day } of changes) {
      const from = day - 86_400_000;
      const to = day + 2 * 86_400_000;
      const slots = oracle(expr, zone, from, to, periodic);
      fc.assert(
        fc.property(fc.integer({ min: from, max: day + 86_400_000 }), (t) => {
          const n = nextFire(expr, zone, t);
          const p = prevFire(expr, zone, t);
          const wantNext = slots.find((s) => s > t);
          const wantPrev = [...slots].reverse().find((s) => s <= t);
          expect(n, `next after ${show(t, zone)}`).toBe(wantNext);
          if (wantPrev !== undefined) expect(p, `prev at ${show(t, zone)}`).toBe(wantPrev);
        }),
        { numRuns: 25 },
      );
      // And every slot itself: next(slot - 1) is that slot.
      for (const s of slots.slice(0, 40)) expect(nextFire(expr, zone, s - 1)).toBe(s);
    }
  });
});
