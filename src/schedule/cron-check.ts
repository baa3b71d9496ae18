/** Validity of a cron expression, as the scheduler will read it (cron-parser 5). */
import { parseCanonicalCron } from "./schedule-expression.js";
import { canonicalCron, type CronSeconds } from "./cron-dialect.js";
import { explainCronError } from "./cron-messages.js";

/**
 * undefined when `expression` is a cron expression the scheduler can fire: 5 fields
 * (minute hour day-of-month month day-of-week), 6 with seconds first, or an `@daily`-style
 * alias cron-parser knows. Else a message with the expression and the parser's reason.
 */
export function checkCronExpression(expression: unknown, seconds: CronSeconds = "first"): string | undefined {
  const usage =
    seconds === "last"
      ? 'write 5 fields "min hour day month weekday" (e.g. "0 9 * * *") or 6 with seconds last (cron_seconds: "last", e.g. "* * * * * */20")'
      : 'write 5 fields "min hour day month weekday" (e.g. "0 9 * * *") or 6 with seconds first (e.g. "*/20 * * * * *")';
  if (typeof expression !== "string" || expression.trim() === "") {
    return `${JSON.stringify(expression)} is not a cron expression; ${usage}`;
  }
  const trimmed = expression.trim();
  if (!trimmed.startsWith("@")) {
    const fields = trimmed.split(/\s+/).length;
    if (fields !== 5 && fields !== 6) {
      return `bad cron expression "${expression}": it has ${fields} fields; ${usage}`;
    }
  }
  try {
    // Parsed through the schedule cache: the scheduler reuses it for each of thousands of entries.
    parseCanonicalCron(canonicalCron(trimmed, { seconds }));
    return undefined;
  } catch (err) {
    if (trimmed.startsWith("@")) return `bad cron expression "${expression}": ${explainCronError(trimmed, (err as Error).message)}`;
    return `bad cron expression "${expression}": ${explainCronError(trimmed, (err as Error).message)}; ${usage}`;
  }
}
