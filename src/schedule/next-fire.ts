/**
 * When does a schedule fire? Pure functions of (expression, zone, instant): no I/O, no clock.
 *
 * DST POLICY (docs/dst.md tells the same to users; the policy is ours, decided by the hour
 * field). Cron is evaluated in the configured zone, on wall-clock time:
 *
 * - Chosen-hour schedules (any hour field but `*`: `30 2 * * *`, `0 0 * * *`, `0 9-17 * * 1`,
 *   `0 *\/2 * * *`):
 *   - a slot whose wall time falls in a skipped gap (spring forward) runs once, at the first
 *     valid instant after the gap (Berlin 02:30 on the spring-forward day -> 03:00 CEST); several
 *     slots in one gap collapse into that one run;
 *   - a slot whose wall time is repeated (fall back) runs once, at its first occurrence.
 *   So a daily job runs exactly once on the 23-hour and on the 25-hour day.
 * - Every-hour schedules (hour `*`, or a list of all 24 hours: `0 * * * *`, `*\/15 * * * *`,
 *   `@hourly`) follow real time: wall times inside a gap do not exist and are not run (the next
 *   slot comes within the hour anyway); wall times that occur twice run at both occurrences. An
 *   hourly job therefore runs once per real hour: 23 times on the spring-forward day and 25
 *   times on the fall-back day, never twice within one real hour and never skipping a real
 *   hour. Reason: "hourly" promises a rhythm of real hours; a run at 03:00 for the vanished
 *   02:00 would fall on the same real hour as the 03:00 slot.
 * - `@every N` counts N seconds since the epoch and ignores zones entirely.
 *
 * cron-parser 5 disagrees in places (probed in test/schedule/cron-parser-probe.test.ts: it
 * moves a gap slot forward by the gap length, 02:30 -> 03:30, and drops a Lord Howe gap slot
 * altogether), so we do not use its time-zone handling: it iterates wall values in UTC and this
 * module maps them to instants (src/schedule/zone-time.ts) with the rules above.
 */
import { parseSchedule, type Schedule } from "./schedule-expression.js";
import { zoneTime, type ZoneTime } from "./zone-time.js";

/** How far apart offsets may be looked for around an instant (no real overlap is longer). */
const SHIFT_PROBE_MS = 6 * 3_600_000;
/** Guards against an expression that matches wall values we never accept. */
const MAX_CANDIDATES = 200_000;

interface Mapped {
  instant: number;
  /** Which occurrence of a repeated wall time this is (only periodic schedules run both). */
  occurrence: "only" | "first" | "second";
}

/** Instants one wall value fires at, by the policy above. */
function mapWall(s: CronSchedule, z: ZoneTime, wall: number): Mapped[] {
  const instants = z.instantsOf(wall);
  if (instants.length === 1) return [{ instant: instants[0]!, occurrence: "only" }];
  if (instants.length === 2) {
    const first: Mapped = { instant: instants[0]!, occurrence: "first" };
    return s.periodic ? [first, { instant: instants[1]!, occurrence: "second" }] : [{ ...first, occurrence: "only" }];
  }
  return s.periodic ? [] : [{ instant: z.gapEnd(wall), occurrence: "only" }];
}

type CronSchedule = Extract<Schedule, { kind: "cron" }>;

/** The first slot strictly after `after` (ms), or undefined if the schedule never fires again. */
export function nextFire(expression: string, zone: string, after: number): number | undefined {
  const s = parseSchedule(expression);
  if (s.kind === "every") return Math.floor(after / s.periodMs) * s.periodMs + s.periodMs;
  const z = zoneTime(zone);
  // Walls ascend and so do their instants, with one exception: in a fall-back overlap the
  // second occurrence of a wall comes after the first occurrence of every later wall of the
  // overlap. So when a fall-back lies just ahead, start from walls before wall(after), and when
  // the best so far is a second occurrence, look on to the end of the overlap.
  let start = z.wall(after);
  const shift = z.offset(after) - z.offset(after + SHIFT_PROBE_MS);
  if (shift > 0 && z.offset(after + shift) !== z.offset(after)) {
    // `after` is in the first pass of a repeated interval: its walls from the start of the
    // overlap (the wall at the transition) on have second occurrences after `after`.
    start = z.wall(z.transition(after, after + shift));
  }
  let cursor = start - 1;
  let best: number | undefined;
  let stopWall = Infinity;
  for (let i = 0; i < MAX_CANDIDATES; i++) {
    const wall = s.walk.next(cursor);
    if (wall === undefined || wall > stopWall) break;
    cursor = wall;
    let settled = false;
    for (const m of mapWall(s, z, wall)) {
      if (m.instant <= after || (best !== undefined && m.instant >= best)) continue;
      best = m.instant;
      settled = m.occurrence !== "second";
    }
    if (settled) break;
    if (best !== undefined && stopWall === Infinity) {
      // Only first occurrences in (after, best) can still beat it: walls between the one whose
      // first occurrence is `after` and the one whose first occurrence is `best`.
      const summer = z.offset(best - SHIFT_PROBE_MS);
      stopWall = best + summer;
      if (after + summer > wall) cursor = after + summer;
    }
  }
  return best;
}

/** The last slot at or before `atOrBefore` (ms), or undefined if there is none. */
export function prevFire(expression: string, zone: string, atOrBefore: number): number | undefined {
  const s = parseSchedule(expression);
  if (s.kind === "every") return Math.floor(atOrBefore / s.periodMs) * s.periodMs;
  const z = zoneTime(zone);
  // The mirror image of nextFire: after a fall-back, walls above wall(t) map to earlier
  // instants (their first occurrence), and a first occurrence may be beaten by the second
  // occurrence of a lower wall of the same overlap.
  let start = z.wall(atOrBefore);
  const shift = z.offset(atOrBefore - SHIFT_PROBE_MS) - z.offset(atOrBefore);
  if (shift > 0 && z.offset(atOrBefore - shift) !== z.offset(atOrBefore)) {
    // `t` is in the second pass of a repeated interval: every wall up to the end of the
    // overlap has its first occurrence before `t`.
    start = z.wall(z.transition(atOrBefore - shift, atOrBefore)) + shift - 1;
  }
  let cursor = start + 1;
  let best: number | undefined;
  let stopWall = -Infinity;
  for (let i = 0; i < MAX_CANDIDATES; i++) {
    const wall = s.walk.prev(cursor);
    if (wall === undefined || wall < stopWall) break;
    cursor = wall;
    let settled = false;
    for (const m of mapWall(s, z, wall)) {
      if (m.instant > atOrBefore || (best !== undefined && m.instant <= best)) continue;
      best = m.instant;
      settled = m.occurrence !== "first";
    }
    if (settled) break;
    if (best !== undefined && stopWall === -Infinity) {
      // Only second occurrences in (best, t] can still beat it: walls between the one whose
      // second occurrence is `best` and the one whose second occurrence is `t`.
      const winter = z.offset(best + SHIFT_PROBE_MS);
      stopWall = best + winter;
      if (atOrBefore + winter + 1 < wall) cursor = atOrBefore + winter + 1;
    }
  }
  return best;
}

/** The next `count` slots after `after`, ascending (fewer if the schedule ends). */
export function nextFires(expression: string, zone: string, after: number, count: number): number[] {
  const out: number[] = [];
  let t = after;
  while (out.length < count) {
    const n = nextFire(expression, zone, t);
    if (n === undefined) break;
    out.push(n);
    t = n;
  }
  return out;
}

/** Throws a clear ConfigError when the expression or the zone is invalid. */
export function validateSchedule(expression: string, zone: string): void {
  const s = parseSchedule(expression);
  if (s.kind === "cron") zoneTime(zone);
}
