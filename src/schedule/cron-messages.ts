/**
 * cron-parser's reasons in words a user can act on. Some of its messages describe its own
 * parsing rather than the input: "-5" becomes "got range NaN-5", "@reboot" becomes "cannot
 * resolve alias reb". Only the text changes here; what is valid is cron-parser's decision.
 */
const FIELD_NAMES_5 = ["minute", "hour", "day of month", "month", "day of week"];
const FIELD_NAMES_6 = ["second", ...FIELD_NAMES_5];
const ALIASES = "@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly";

/** The reason to show for `expression`, given the parser's `message`. */
export function explainCronError(expression: string, message: string): string {
  if (expression.startsWith("@")) {
    const name = expression.split(/\s/)[0]!;
    if (name === "@reboot") return `"@reboot" is not supported: the scheduler fires on a clock, not when a machine boots (use a systemd unit for that); use ${ALIASES} or 5 fields`;
    // src/schedule/cron-dialect.ts names an unknown alias itself; cron-parser's own wording is rewritten
    if (/^unknown alias/.test(message)) return message;
    if (/alias/i.test(message)) return `unknown alias "${name}"; use ${ALIASES} or 5 fields`;
    return message;
  }
  if (/NaN/.test(message)) {
    const fields = expression.split(/\s+/);
    const names = fields.length === 6 ? FIELD_NAMES_6 : FIELD_NAMES_5;
    const i = fields.findIndex((f) => /(^|[,/])-|-($|[,/])/.test(f));
    const where = i >= 0 ? `the ${names[i] ?? `field ${i + 1}`} field "${fields[i]}"` : "a field";
    return `${where} has a range with a missing end: a range is written from-to, e.g. 1-5 (cron has no negative values)`;
  }
  return message;
}
