/**
 * Parse and validate a task's schedule: a 5-field cron expression, a 6-field one (seconds
 * first), a cron-parser alias (`@daily`, ...) or `@every <N>` (N seconds; `s`, `m`, `h` units
 * accepted). Parsed once per expression and cached: ticks only iterate.
 */
import { CronExpressionParser, type CronExpression } from "cron-parser";
import { ConfigError } from "../base/errors.js";
import { canonicalCron, parserText } from "./cron-dialect.js";
import { compileWalk, cronParserWalk, type CronWalk } from "./cron-walk.js";

export type Schedule =
  | { kind: "every"; expression: string; periodMs: number }
  | {
      kind: "cron";
      expression: string;
      /** Wall values the expression matches (evaluated in UTC); stateless. */
      walk: CronWalk;
      /**
       * True when the expression fires in every hour of the day (hour `*`): the schedule follows
       * real time across DST changes (see next-fire.ts). `*\/2` and other hour lists are not.
       */
      periodic: boolean;
    };

const EVERY = /^@every\s+(\d+)\s*(s|m|h)?$/i;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };
const cache = new Map<string, Schedule>();

function bad(expression: string, why: string): ConfigError {
  return new ConfigError("BAD_SCHEDULE", `invalid schedule "${expression}": ${why}`, {
    hint: 'use 5 cron fields ("0 9 * * *"), 6 with seconds first ("*/10 * * * * *") or "@every <seconds>"',
  });
}

export function parseSchedule(expression: string): Schedule {
  const cached = cache.get(expression);
  if (cached) return cached;
  const trimmed = expression.trim();
  const schedule = cache.get(trimmed) ?? parseUncached(trimmed);
  cache.set(expression, schedule);
  return schedule;
}

/**
 * The cron schedule of an expression already in canonical form (canonicalCron), from the same
 * cache parseSchedule reads: hooks validation checks every cron key through this, so the
 * scheduler does not parse it a second time (time and garbage per parse, which add up with
 * 10 000 entries). Throws cron-parser's own error, unworded: the caller words it.
 */
export function parseCanonicalCron(canonical: string): Schedule {
  const cached = cache.get(canonical);
  if (cached?.kind === "cron") return cached;
  const { text, nearestWeekday } = parserText(canonical);
  const schedule = fromCron(canonical, CronExpressionParser.parse(text), nearestWeekday);
  // An `@every` string stays parseSchedule's own (it is not cron; the parse above refused it).
  if (!cached) cache.set(canonical, schedule);
  return schedule;
}

function fromCron(expression: string, cron: CronExpression, nearestWeekday?: number): Schedule {
  const periodic = cron.fields.hour.values.length === 24;
  // Keep the compact walk, not the CronExpression (~2.6 KB each, see cron-walk.ts).
  const walk = compileWalk(cron, nearestWeekday) ?? cronParserWalk(cron);
  return { kind: "cron", expression, walk, periodic };
}

function parseUncached(expression: string): Schedule {
  const every = EVERY.exec(expression);
  if (every) {
    const periodMs = Number(every[1]) * UNIT_MS[(every[2] ?? "s").toLowerCase()]!;
    if (!(periodMs >= 1000)) throw bad(expression, "the period must be at least 1 second");
    return { kind: "every", expression, periodMs };
  }
  if (expression.startsWith("@every")) throw bad(expression, "expected `@every <N>` with N a whole number of seconds");
  const fields = expression.split(/\s+/);
  const alias = expression.startsWith("@");
  if (!alias && fields.length !== 5 && fields.length !== 6) {
    throw bad(expression, `expected 5 or 6 fields, got ${fields.length}`);
  }
  let cron: CronExpression;
  let nearestWeekday: number | undefined;
  try {
    // Written forms (croniter's dialect, seconds first) are read as the hooks loader reads them.
    const parsed = parserText(canonicalCron(expression));
    nearestWeekday = parsed.nearestWeekday;
    cron = CronExpressionParser.parse(parsed.text, { tz: "UTC", currentDate: new Date(0) });
  } catch (err) {
    throw bad(expression, (err as Error).message);
  }
  return fromCron(expression, cron, nearestWeekday);
}
