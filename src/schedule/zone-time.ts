/**
 * Wall-clock time <-> instants in one IANA zone, the building block of the DST policy.
 *
 * A "wall" value is the local date-time written as if it were UTC (ms): 2025-03-30 02:30 in
 * Berlin is Date.UTC(2025, 2, 30, 2, 30). Cron matches wall values; instants are real ms since
 * the epoch. One wall value maps to one instant (normal), none (skipped by a spring-forward
 * gap) or two (repeated by a fall-back overlap).
 */
import { Info, type Zone } from "luxon";
import { ConfigError } from "../base/errors.js";

const DAY = 86_400_000;

export interface ZoneTime {
  readonly name: string;
  /** UTC offset at the instant, ms. */
  offset(instant: number): number;
  /** Wall value of an instant. */
  wall(instant: number): number;
  /**
   * Every instant whose wall value is `wall`, ascending: [] in a gap, [t] normally,
   * [first, second] in an overlap.
   */
  instantsOf(wall: number): number[];
  /** For a wall value inside a gap: the instant the gap ends (the first valid instant after it). */
  gapEnd(wall: number): number;
  /** The first instant in (lo, hi] whose offset differs from offset(lo); needs one to exist. */
  transition(lo: number, hi: number): number;
}

/** Offsets are cached per minute: every transition since 1970 falls on a whole minute. */
const MINUTE = 60_000;
const CACHE_LIMIT = 100_000;

const zones = new Map<string, ZoneTime>();

/** The zone by IANA name ("Europe/Berlin", "UTC"); throws a ConfigError for an unknown one. */
export function zoneTime(name: string): ZoneTime {
  let zt = zones.get(name);
  if (zt) return zt;
  const zone = Info.normalizeZone(name);
  if (!zone.isValid) {
    throw new ConfigError("BAD_TIMEZONE", `unknown time zone "${name}"`, {
      hint: 'use an IANA name such as "Europe/Berlin" or "UTC"',
    });
  }
  zt = build(name, zone);
  zones.set(name, zt);
  return zt;
}

function build(name: string, zone: Zone): ZoneTime {
  const cache = new Map<number, number>();
  const offset = (t: number) => {
    const minute = Math.floor(t / MINUTE);
    let o = cache.get(minute);
    if (o === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      o = zone.offset(minute * MINUTE) * 60_000;
      cache.set(minute, o);
    }
    return o;
  };
  const transition = (lo: number, hi: number): number => {
    const first = offset(lo);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offset(mid) === first) lo = mid;
      else hi = mid;
    }
    return hi;
  };
  const instantsOf = (wall: number): number[] => {
    // Offsets a day either side bracket any transition near this wall time (offsets are < 1 day).
    const before = offset(wall - DAY);
    const after = offset(wall + DAY);
    const out: number[] = [];
    for (const o of before === after ? [before] : [before, after]) {
      const t = wall - o;
      if (offset(t) === o && !out.includes(t)) out.push(t);
    }
    return out.sort((a, b) => a - b);
  };
  const gapEnd = (wall: number): number => {
    // In a gap the offset grows from `lo` to `hi`; search the instant where it changes.
    const a = wall - offset(wall + DAY);
    const b = wall - offset(wall - DAY);
    return transition(Math.min(a, b), Math.max(a, b));
  };
  return { name, offset, wall: (t) => t + offset(t), instantsOf, gapEnd, transition };
}
