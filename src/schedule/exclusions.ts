/**
 * Entry option `except`: slots that are not run. An ISO date ("2026-12-25") excludes every slot
 * whose wall date in the task's zone is that day; a cron expression excludes every slot whose
 * wall time it matches (5 fields: to the minute; 6 fields: to the second). Pure: the scheduler
 * records excluded slots as skipped (excluded) in the ledger.
 */
import { parseSchedule } from "./schedule-expression.js";
import { zoneTime } from "./zone-time.js";

const MINUTE_MS = 60_000;

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True when `value` is a calendar date that exists ("2026-02-30" does not). */
export function isIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** The exclusion that matches `slot`, or undefined when the slot runs. */
export function exclusionOf(except: readonly string[] | undefined, slot: number, zone: string): string | undefined {
  if (!except?.length) return undefined;
  const wall = zoneTime(zone).wall(slot);
  const date = new Date(wall).toISOString().slice(0, 10);
  for (const rule of except) {
    if (isIsoDate(rule)) {
      if (rule === date) return rule;
      continue;
    }
    const s = parseSchedule(rule);
    if (s.kind !== "cron") continue;
    const seconds = rule.trim().split(/\s+/).length === 6;
    const at = seconds ? Math.floor(wall / 1000) * 1000 : Math.floor(wall / MINUTE_MS) * MINUTE_MS;
    if (s.walk.next(at - 1) === at) return rule;
  }
  return undefined;
}
