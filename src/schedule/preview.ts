/**
 * The next fires of a schedule as a user reads them: the wall time in the task's zone, the UTC
 * instant, and each daylight-saving adjustment named on its line ("02:30 does not exist on
 * 2027-03-28: runs at 03:00 CEST", "01:30 repeats: runs at the first"). Pure: the instants come
 * from nextFire (the DST policy lives there, see docs/dst.md); this module only explains them.
 */
import { DateTime } from "luxon";
import { nextFire } from "./next-fire.js";
import { parseSchedule } from "./schedule-expression.js";
import { zoneTime } from "./zone-time.js";

export interface PreviewedFire {
  /** The instant (ms). */
  at: number;
  /** ISO instant in UTC. */
  utc: string;
  /** Wall time in the zone, with its abbreviation: "2027-03-28 03:00:00 CEST". */
  local: string;
  zone: string;
  /** The DST adjustment that applies to this fire, in words. */
  dst?: string;
}

/** Longest DST shift looked for (Lord Howe's is 30 min, the usual one 1 h). */
const MAX_SHIFT_MS = 2 * 3_600_000;

const hm = (wall: number) => new Date(wall).toISOString().slice(11, wall % 60_000 === 0 ? 16 : 19);
const day = (wall: number) => new Date(wall).toISOString().slice(0, 10);

/** The zone's abbreviation at an instant: "CEST", "EDT"; ICU knows some only in en-GB, some only in en-US. */
export function zoneAbbreviation(at: number, zone: string): string {
  let fallback = "";
  for (const locale of ["en-US", "en-GB"]) {
    const name = DateTime.fromMillis(at, { zone, locale }).toFormat("ZZZZ");
    if (!name.startsWith("GMT") && !name.startsWith("UTC+") && !name.startsWith("UTC-")) return name;
    fallback ||= name;
  }
  return fallback;
}

function localLabel(at: number, zone: string): string {
  return `${DateTime.fromMillis(at, { zone }).toFormat("yyyy-LL-dd HH:mm:ss")} ${zoneAbbreviation(at, zone)}`;
}

/** The DST note of one fire, if any. */
export function dstNote(expression: string, zone: string, at: number): string | undefined {
  const s = parseSchedule(expression);
  if (s.kind !== "cron") return undefined;
  const z = zoneTime(zone);
  const wall = z.wall(at);
  const abbr = `${DateTime.fromMillis(at, { zone }).toFormat("HH:mm")} ${zoneAbbreviation(at, zone)}`;
  // Fall back: this wall time happens twice.
  const twice = z.instantsOf(wall);
  if (twice.length === 2) {
    if (at === twice[0]) return s.periodic ? `${hm(wall)} repeats: runs at both (this is the first, ${abbr})` : `${hm(wall)} repeats: runs at the first (${abbr})`;
    return `${hm(wall)} repeats: the second run (${abbr})`;
  }
  // Spring forward: a gap ended at this instant; did the schedule name wall times inside it?
  const before = z.offset(at - 1);
  const shift = z.offset(at) - before;
  if (shift <= 0 || shift > MAX_SHIFT_MS) return undefined;
  const gapStart = wall - shift;
  const first = s.walk.next(gapStart - 1);
  if (first === undefined || first >= wall) return undefined;
  const matchesHere = s.walk.next(wall - 1) === wall;
  if (!matchesHere) return `${hm(first)} does not exist on ${day(first)}: runs at ${abbr}`;
  return s.periodic ? `${hm(first)} does not exist on ${day(first)}: not run (the clock jumps to ${abbr})` : `${hm(first)} does not exist on ${day(first)}: runs at ${abbr}, with the ${hm(wall)} run`;
}

/** The next `count` fires strictly after `after`. */
export function previewFires(expression: string, zone: string, after: number, count: number): PreviewedFire[] {
  const out: PreviewedFire[] = [];
  for (let t = nextFire(expression, zone, after); t !== undefined && out.length < count; t = nextFire(expression, zone, t)) {
    const dst = dstNote(expression, zone, t);
    out.push({ at: t, utc: new Date(t).toISOString(), local: localLabel(t, zone), zone, ...(dst ? { dst } : {}) });
  }
  return out;
}

/** One line per fire: "2027-03-28 03:00:00 CEST  2027-03-28T01:00:00.000Z  02:30 does not exist ...". */
export function fireLine(f: PreviewedFire): string {
  return `${f.local}  ${f.utc}${f.dst ? `  ${f.dst}` : ""}`;
}
