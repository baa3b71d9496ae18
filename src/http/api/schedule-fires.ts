/**
 * The next fires of a schedule as the Schedules page shows them: each instant with its UTC
 * offset in the zone, and a note on the first fire after a daylight-saving change (the policy
 * itself is src/schedule/next-fire.ts; this only names what it did).
 */
import { DateTime } from "luxon";
import { nextFires } from "../../schedule/next-fire.js";

export interface PreviewedFire {
  at: number;
  /** e.g. "+02:00". */
  offset: string;
  /** Set on the first fire after the zone's offset changed: "DST: +01:00 -> +02:00". */
  dst?: string;
}

function offsetAt(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat("ZZ");
}

export function previewFires(expression: string, zone: string, now: number, count: number): PreviewedFire[] {
  let previous = offsetAt(now, zone);
  return nextFires(expression, zone, now, count).map((at) => {
    const offset = offsetAt(at, zone);
    const fire: PreviewedFire = { at, offset, ...(offset !== previous ? { dst: `DST: ${previous} -> ${offset}` } : {}) };
    previous = offset;
    return fire;
  });
}
