/** Arguments shared by the schedule commands (calendar, list, why, backfill): counts and instants. */
import { DateTime } from "luxon";
import { UsageError } from "./common.js";

/** `--next N`: a whole number 1..1000. */
export function parseCount(raw: string | undefined, flag: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError(`${flag} "${raw}" is not a whole number from 1 to 1000`);
  return n;
}

/**
 * `--from ISO` / `--to ISO`: an ISO date or date-time. Without an offset it is read in `zone`
 * (the zone the schedule runs in), as a user reading `list` would mean it.
 */
export function parseInstant(raw: string, flag: string, zone: string): number {
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(raw.trim());
  const dt = DateTime.fromISO(raw.trim(), hasOffset ? { setZone: true } : { zone });
  if (!dt.isValid) throw new UsageError(`${flag} "${raw}" is not an ISO date or date-time`, { hint: 'write e.g. "2026-12-01", "2026-12-01T09:00" (in the schedule\'s zone) or "2026-12-01T08:00:00Z"' });
  return dt.toMillis();
}
