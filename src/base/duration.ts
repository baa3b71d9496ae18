/**
 * The one duration parser. Every place a person writes a length of time uses it: command-line
 * flags (`logs --since`, `enqueue --delay`, `reload --timeout`, `--grace`), environment
 * variables (SCHEDULER_CONNECT_TIMEOUT, ...), `enqueue({ delay })`, and the hooks file
 * (`catchup.window`, `deadline`). It accepts the union of what the separate parsers it replaces
 * accepted, so no input that worked in one place is refused there now:
 *
 *   - a number: seconds (fractions allowed), e.g. 90 or 0.5
 *   - a bare numeric string: seconds, read as JavaScript's Number() reads it ("90", "1.5",
 *     " 30 ", "1e3"), as environment variables always were
 *   - a number with a unit, ms s m h d w, case-insensitive, optionally a space before the unit
 *     ("6h", "6 h", "500ms", "1.5H"), and sums of such parts without spaces between them
 *     ("1h30m")
 *
 * Results are milliseconds >= 0, not rounded (callers that need whole ms round). Whether 0 or a very long duration is sensible is the
 * caller's rule (a timeout must be > 0, a delay may be 0), checked after parsing.
 */
import { ConfigError, type CodeOf } from "./errors.js";

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w))+$/;

/** What a bad duration's message suggests writing. */
export const DURATION_HINT = 'write seconds or a number with a unit: ms, s, m, h, d or w, e.g. "30", "30s", "10m", "1h30m"';

/** Milliseconds in `value` (may have a fraction), or undefined when it is not a duration (or is negative). */
export function durationMs(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim().toLowerCase();
  if (text === "") return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_MS[unit!]!;
  return Number.isFinite(total) ? total : undefined;
}

/**
 * Whole milliseconds in `value`; else a ConfigError `<what> "<value>" is not a duration` with
 * `code` (BAD_DURATION unless the caller has its own) and a hint listing the forms.
 */
export function parseDuration(value: string | number, what = "duration", code: CodeOf<"ConfigError"> = "BAD_DURATION"): number {
  const ms = durationMs(value);
  if (ms === undefined) throw new ConfigError(code, `${what} "${String(value)}" is not a duration`, { hint: DURATION_HINT });
  return Math.round(ms);
}

/** "5 s", "0.5 s": a duration for messages. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
