/**
 * The cron Frappe users write (croniter's dialect) -> the canonical form the scheduler parses:
 * 5 fields, or 6 with seconds first, in what cron-parser 5 reads, plus `nW` in day-of-month
 * (cron-walk.ts runs it). One pass at load time, so every daemon and every restart computes the
 * same slots from the same hooks file:
 *
 * - `cron_seconds: "last"`: a 6-field expression has its seconds last (croniter, Frappe);
 *   moved first here. The default "first" is cron-parser's order.
 * - `H` (hashed) fields are seeded from the task id: stable across processes and restarts
 *   (cron-parser seeds them from Math.random() when no seed is given).
 * - Wrap-around ranges (`FRI-MON`, `22-2` in hours) become the lists they mean.
 * - Day of week `7` is Sunday, also in a list with `0` (`0,7`); `L5` (croniter: the last
 *   Friday of the month) is cron-parser's `5L`.
 * - `@midnight` is `@daily`; an unknown alias is named as such.
 */
import { CronExpressionParser } from "cron-parser";

export type CronSeconds = "first" | "last";

export interface DialectOptions {
  seconds?: CronSeconds;
  /** Seeds `H` fields (the task id); without one, the expression itself. */
  seed?: string;
}

export const CRON_ALIASES: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: Readonly<Record<string, number>>;
}

const MONTHS = Object.fromEntries(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"].map((n, i) => [n, i + 1]));
const DAYS = Object.fromEntries(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"].map((n, i) => [n, i]));
const SECOND: FieldSpec = { name: "second", min: 0, max: 59 };
const FIVE: FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day of week", min: 0, max: 6, names: DAYS },
];

/** A cron expression the dialect cannot read; the message names the expression and the fix. */
export class CronDialectError extends Error {}

/** The canonical expression for `expression` (see the header); throws CronDialectError. */
export function canonicalCron(expression: string, options: DialectOptions = {}): string {
  const trimmed = expression.trim();
  if (/^@every\b/i.test(trimmed)) return trimmed;
  if (trimmed.startsWith("@")) {
    const alias = CRON_ALIASES[trimmed.toLowerCase()];
    if (alias === undefined) {
      throw new CronDialectError(`unknown alias "${trimmed}": use one of ${Object.keys(CRON_ALIASES).join(", ")} or @every <seconds>`);
    }
    return alias;
  }
  let fields = trimmed.split(/\s+/);
  if (fields.length === 6 && options.seconds === "last") fields = [fields[5]!, ...fields.slice(0, 5)];
  const specs = fields.length === 6 ? [SECOND, ...FIVE] : FIVE;
  if (fields.length !== specs.length) return trimmed; // the field count is the caller's to report
  fields = fields.map((f, i) => rewriteField(f, specs[i]!));
  const canonical = fields.join(" ");
  return canonical.includes("H") ? resolveHashed(fields, options.seed ?? trimmed) : canonical;
}

/**
 * Would this 6-field expression fire at other times in the other seconds dialect? Used by
 * `doctor` and `start` to warn (a Frappe `* * * * * *\/15` is every 15 s there, and every second
 * on Sundays read seconds first). False for 5 fields, aliases, or when both readings agree.
 */
export function meansOtherInOtherDialect(expression: string, seconds: CronSeconds): boolean {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) return false;
  try {
    const here = fieldValues(canonicalCron(expression, { seconds }));
    const there = fieldValues(canonicalCron(expression, { seconds: seconds === "first" ? "last" : "first" }));
    return JSON.stringify(here) !== JSON.stringify(there);
  } catch {
    return true; // readable in one dialect only: it surely means something else in the other
  }
}

function fieldValues(canonical: string): unknown[] {
  const { text } = parserText(canonical);
  const f = CronExpressionParser.parse(text, { tz: "UTC", currentDate: new Date(0) }).fields;
  return [f.second, f.minute, f.hour, f.dayOfMonth, f.month, f.dayOfWeek].map((x) => x.values);
}

/**
 * What cron-parser reads for a canonical expression: a day-of-month `nW` (nearest weekday to
 * day n, which cron-parser refuses) is taken out and returned as `nearestWeekday`.
 */
export function parserText(canonical: string): { text: string; nearestWeekday?: number } {
  const fields = canonical.split(/\s+/);
  const dom = fields.length - 3;
  const w = dom >= 2 ? /^(\d{1,2})W$/i.exec(fields[dom] ?? "") : null;
  if (!w) return { text: canonical };
  const day = Number(w[1]);
  if (day < 1 || day > 31) throw new CronDialectError(`"${fields[dom]}": the day before W must be 1-31`);
  const dow = fields[fields.length - 1]!;
  if (dow !== "*" && dow !== "?") throw new CronDialectError(`"${fields[dom]}" (nearest weekday) cannot be combined with a day of week ("${dow}"); write * there`);
  fields[dom] = "*";
  return { text: fields.join(" "), nearestWeekday: day };
}

function rewriteField(field: string, spec: FieldSpec): string {
  let parts = field.split(",").map((p) => expandWrap(p, spec));
  if (spec.name === "day of week") {
    // croniter's L5 (last Friday) is cron-parser's 5L; 7 is Sunday, like 0.
    parts = parts.flatMap((p) => p.split(",")).map((p) => p.replace(/^L([0-7])$/i, "$1L")).map((p) => (p === "7" ? "0" : p));
    parts = [...new Set(parts)];
  }
  return parts.join(",");
}

/** `a-b` or `a-b/n` with a > b (`FRI-MON`, `22-2`): the values from a to the field's end, then from its start to b. */
function expandWrap(part: string, spec: FieldSpec): string {
  const m = /^([A-Za-z]{3}|\d+)-([A-Za-z]{3}|\d+)(?:\/(\d+))?$/.exec(part);
  if (!m) return part;
  const value = (s: string) => (/^\d+$/.test(s) ? Number(s) : spec.names?.[s.toUpperCase()]);
  const from = value(m[1]!);
  let to = value(m[2]!);
  if (from === undefined || to === undefined) return part;
  if (spec.name === "day of week" && to === 7) to = 0;
  if (from <= to || from > spec.max + (spec.name === "day of week" ? 1 : 0)) return part;
  const step = m[3] ? Number(m[3]) : 1;
  if (!(step >= 1)) return part;
  const span = spec.max - spec.min + 1;
  const out: number[] = [];
  const count = ((to - from + span) % span) + 1;
  for (let i = 0; i < count; i += step) out.push(spec.min + ((from - spec.min + i) % span));
  return out.join(",");
}

/** Replace each `H` field by the values cron-parser gives it with `seed`. */
function resolveHashed(fields: string[], seed: string): string {
  const { text } = parserText(fields.join(" "));
  let parsed;
  try {
    parsed = CronExpressionParser.parse(text, { tz: "UTC", currentDate: new Date(0), hashSeed: seed });
  } catch (err) {
    throw new CronDialectError((err as Error).message);
  }
  const f = parsed.fields;
  const byIndex = fields.length === 6 ? [f.second, f.minute, f.hour, f.dayOfMonth, f.month, f.dayOfWeek] : [f.minute, f.hour, f.dayOfMonth, f.month, f.dayOfWeek];
  return fields.map((field, i) => (field.includes("H") ? byIndex[i]!.values.join(",") : field)).join(" ");
}
