/**
 * Walks the wall values (ms, the expression evaluated in UTC) a cron expression matches:
 * next(after) = the first match strictly after `after`, prev(before) = the last strictly before.
 *
 * Why not cron-parser's iterator: each CronExpression keeps ~2.6 KB alive and each step builds
 * luxon DateTimes, so 10 000 cron entries cost ~26 MB of live heap and ~150 µs of garbage-making
 * work per next fire (issue 8: the daemon idled at 250+ MB RSS). cron-parser still parses and
 * validates; `compileWalk` keeps only its field values, as bit masks (~100 bytes), and steps with
 * integer date arithmetic. Expressions using `L` or `#` keep cron-parser's own iterator
 * (`cronParserWalk`): rare, and their day rules are cron-parser's to define.
 * test/schedule/cron-walk.test.ts checks both walks agree on random expressions and instants.
 */
import type { CronExpression } from "cron-parser";

export interface CronWalk {
  /** The first matching wall value strictly after `after`, or undefined when there is none. */
  next(after: number): number | undefined;
  /** The last matching wall value strictly before `before`, or undefined when there is none. */
  prev(before: number): number | undefined;
}

const DAY_S = 86_400;
const DAY_MS = 86_400_000;
/** No match within this many days: none ever (Feb 29 recurs within 8 years; 9 to be safe). */
const HORIZON_DAYS = 9 * 366;

/** Field values as bit masks; 60-value fields split in two 30-bit halves (JS bit ops are 32-bit). */
interface Masks {
  secLo: number;
  secHi: number;
  minLo: number;
  minHi: number;
  hours: number;
  /** bit d-1 for day d */
  dom: number;
  /** bit m-1 for month m */
  months: number;
  /** bit w for weekday w (0 = Sunday) */
  dow: number;
  domWild: boolean;
  dowWild: boolean;
  /** Day-of-month `nW`: only the weekday nearest to day n of the month (within the month). */
  nearestWeekday?: number;
}

const mask = (values: readonly unknown[], shift = 0, from = 0, to = 31): number => {
  let m = 0;
  for (const v of values) if (typeof v === "number" && v >= from && v < to) m |= 1 << (v - from - shift);
  return m;
};
const bit = (m: number, i: number) => ((m >>> i) & 1) === 1;
const has60 = (lo: number, hi: number, v: number) => (v < 30 ? bit(lo, v) : bit(hi, v - 30));

/** Civil date of an epoch day (Howard Hinnant's days_from_civil inverse), UTC. */
function civil(days: number): { y: number; m: number; d: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

/**
 * The day of the month `nW` picks: n, or the nearest Monday-Friday to it inside the month;
 * -1 in a month without day n (`31W` in April), which it skips like `31` does.
 */
export function nearestWeekdayOf(y: number, m: number, n: number): number {
  const length = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (n > length) return -1;
  const day = n;
  const weekday = new Date(Date.UTC(y, m - 1, day)).getUTCDay();
  if (weekday === 6) return day === 1 ? 3 : day - 1;
  if (weekday === 0) return day === length ? day - 2 : day + 1;
  return day;
}

/** Whether day-of-month / weekday match, for a day in a month the expression includes. */
function dayMatches(k: Masks, days: number, y: number, m: number, d: number): boolean {
  if (k.nearestWeekday !== undefined) return d === nearestWeekdayOf(y, m, k.nearestWeekday);
  const domOk = bit(k.dom, d - 1);
  // croniter's and Frappe's rule: a wildcard side defers to the other; both restricted = OR.
  if (k.dowWild) return domOk;
  const dowOk = bit(k.dow, (((days + 4) % 7) + 7) % 7); // 1970-01-01 was a Thursday
  return k.domWild ? dowOk : domOk || dowOk;
}

/** The epoch day of a civil date (month 1-12; Date.UTC carries a month past 12 into the next year). */
const epochDay = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / DAY_MS;

/** Smallest second of the day >= sod that matches hour/minute/second, or -1. */
function nextInDay(k: Masks, sod: number): number {
  const h0 = Math.floor(sod / 3600);
  const m0 = Math.floor((sod % 3600) / 60);
  const s0 = sod % 60;
  for (let h = h0; h < 24; h++) {
    if (!bit(k.hours, h)) continue;
    for (let m = h === h0 ? m0 : 0; m < 60; m++) {
      if (!has60(k.minLo, k.minHi, m)) continue;
      for (let s = h === h0 && m === m0 ? s0 : 0; s < 60; s++) if (has60(k.secLo, k.secHi, s)) return h * 3600 + m * 60 + s;
    }
  }
  return -1;
}

/** Largest second of the day <= sod that matches hour/minute/second, or -1. */
function prevInDay(k: Masks, sod: number): number {
  const h0 = Math.floor(sod / 3600);
  const m0 = Math.floor((sod % 3600) / 60);
  const s0 = sod % 60;
  for (let h = h0; h >= 0; h--) {
    if (!bit(k.hours, h)) continue;
    for (let m = h === h0 ? m0 : 59; m >= 0; m--) {
      if (!has60(k.minLo, k.minHi, m)) continue;
      for (let s = h === h0 && m === m0 ? s0 : 59; s >= 0; s--) if (has60(k.secLo, k.secHi, s)) return h * 3600 + m * 60 + s;
    }
  }
  return -1;
}

/**
 * The walk over one expression's masks. A class, not closures over `k`: the methods live once on
 * the prototype, so each expression costs one object (no two closures and their context per
 * entry, which adds up with 100 000 cron entries; bench/README.md, scale).
 */
class MaskWalk implements CronWalk {
  constructor(private readonly k: Masks) {}

  next(after: number): number | undefined {
    const k = this.k;
    const t = Math.floor(after / 1000) + 1; // whole seconds strictly after
    const day0 = Math.floor(t / DAY_S);
    for (let day = day0; day <= day0 + HORIZON_DAYS; ) {
      const { y, m, d } = civil(day);
      // A month the expression leaves out is skipped whole (a one-month expression would
      // otherwise test up to 11 months of days, one by one, per look-up).
      if (!bit(k.months, m - 1)) {
        day = epochDay(y, m + 1, 1);
        continue;
      }
      if (dayMatches(k, day, y, m, d)) {
        const sod = nextInDay(k, day === day0 ? t - day * DAY_S : 0);
        if (sod >= 0) return day * DAY_MS + sod * 1000;
      }
      day++;
    }
    return undefined;
  }

  prev(before: number): number | undefined {
    const k = this.k;
    const t = Math.ceil(before / 1000) - 1; // whole seconds strictly before
    const day0 = Math.floor(t / DAY_S);
    for (let day = day0; day >= day0 - HORIZON_DAYS; ) {
      const { y, m, d } = civil(day);
      if (!bit(k.months, m - 1)) {
        day = epochDay(y, m, 1) - 1; // the last day of the month before
        continue;
      }
      if (dayMatches(k, day, y, m, d)) {
        const sod = prevInDay(k, day === day0 ? t - day * DAY_S : DAY_S - 1);
        if (sod >= 0) return day * DAY_MS + sod * 1000;
      }
      day--;
    }
    return undefined;
  }
}

/** cron-parser's own iterator, for the expressions compileWalk leaves to it. */
export function cronParserWalk(cron: CronExpression): CronWalk {
  const step = (at: number, dir: "next" | "prev") => {
    cron.reset(new Date(at));
    try {
      return (dir === "next" ? cron.next() : cron.prev()).getTime();
    } catch {
      return undefined; // no further match (cron-parser's own iteration limit)
    }
  };
  return { next: (after) => step(after, "next"), prev: (before) => step(before, "prev") };
}

/**
 * The compact walk of a parsed expression, or undefined when it uses `L` or `#`.
 * `nearestWeekday`: the expression's day of month was `nW` (parsed with `*` in its place).
 */
export function compileWalk(cron: CronExpression, nearestWeekday?: number): CronWalk | undefined {
  const f = cron.fields;
  if (f.dayOfMonth.hasLastChar || f.dayOfWeek.hasLastChar || f.dayOfWeek.nthDay > 0) {
    if (nearestWeekday !== undefined) throw new Error(`${nearestWeekday}W cannot be combined with L or #`);
    return undefined;
  }
  const all = [f.second, f.minute, f.hour, f.dayOfMonth, f.month, f.dayOfWeek];
  if (all.some((field) => field.values.some((v) => typeof v !== "number"))) return undefined;
  return new MaskWalk({
    secLo: mask(f.second.values, 0, 0, 30),
    secHi: mask(f.second.values, 0, 30, 60),
    minLo: mask(f.minute.values, 0, 0, 30),
    minHi: mask(f.minute.values, 0, 30, 60),
    hours: mask(f.hour.values, 0, 0, 24),
    dom: mask(f.dayOfMonth.values, 1, 0, 32),
    months: mask(f.month.values, 1, 0, 13),
    dow: mask(f.dayOfWeek.values, 0, 0, 7),
    domWild: f.dayOfMonth.isWildcard,
    dowWild: f.dayOfWeek.isWildcard,
    ...(nearestWeekday !== undefined ? { nearestWeekday } : {}),
  });
}
