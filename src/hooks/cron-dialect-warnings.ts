/**
 * A 6-field cron means different times with seconds first (cron-parser, our default) and
 * seconds last (croniter, what Frappe's crons mean): `* * * * * *\/15` is every 15 s in Frappe and
 * every second on Sundays read seconds first, silently. Until the hooks file sets
 * `cron_seconds`, `doctor` and `start` name every such expression, with its next fires both ways.
 */
import { CronExpressionParser } from "cron-parser";
import { canonicalCron, meansOtherInOtherDialect, parserText, type CronSeconds } from "../schedule/cron-dialect.js";
import type { HooksDefinition } from "./types.js";

export interface DialectWarning {
  message: string;
  fix: string;
}

/** Where each cron expression of a definition is written: `scheduler_events.cron["..."]`, `event_expressions.weekly`. */
function writtenCrons(definition: HooksDefinition): Array<{ at: string; expression: string }> {
  const out: Array<{ at: string; expression: string }> = [];
  const events = (definition.scheduler_events ?? {}) as Record<string, unknown>;
  for (const event of ["cron", "cron_long"]) {
    const map = events[event];
    if (map && typeof map === "object") for (const expression of Object.keys(map)) out.push({ at: `scheduler_events.${event}["${expression}"]`, expression });
  }
  for (const [event, expression] of Object.entries(definition.event_expressions ?? {})) {
    if (typeof expression === "string") out.push({ at: `event_expressions.${event}`, expression });
  }
  return out;
}

/** The first `n` fires (UTC, ISO) of an expression read in `seconds`, or the reason it does not parse. */
function firstFires(expression: string, seconds: CronSeconds, n = 3): string {
  try {
    const { text } = parserText(canonicalCron(expression, { seconds }));
    const it = CronExpressionParser.parse(text, { tz: "UTC", currentDate: new Date(Date.UTC(2026, 0, 1)) });
    return Array.from({ length: n }, () => it.next().toISOString()!.replace(".000Z", "Z")).join(", ");
  } catch (err) {
    return `not valid (${(err as Error).message})`;
  }
}

/** None once the hooks file says which order it means (`cron_seconds` set): the choice is made. */
export function cronDialectWarnings(definition: HooksDefinition): DialectWarning[] {
  if (definition.cron_seconds !== undefined) return [];
  const seconds: CronSeconds = "first";
  const other: CronSeconds = seconds === "first" ? "last" : "first";
  return writtenCrons(definition)
    .filter((c) => meansOtherInOtherDialect(c.expression, seconds))
    .map((c) => ({
      message:
        `${c.at}: 6 fields read with seconds ${seconds} (from 2026-01-01 UTC: ${firstFires(c.expression, seconds)}); ` +
        `with seconds ${other} it would mean ${firstFires(c.expression, other)}`,
      fix: 'if it was written for Frappe (croniter puts seconds last), set cron_seconds: "last" in the hooks file; if seconds first is meant, set cron_seconds: "first" to say so',
    }));
}
