/**
 * Durations as people type them on a command line: "30s", "10m", "2h", "1d", "1w", "500ms",
 * and sums like "1h30m". Used by `logs --since` and `enqueue --delay`.
 */
import { ConfigError } from "../base/errors.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;

/** Milliseconds in `text`; `what` names the argument in the error (e.g. "--since"). */
export function parseDuration(text: string, what = "duration"): number {
  const compact = text.trim().toLowerCase();
  if (!WHOLE.test(compact)) {
    throw new ConfigError(
      "BAD_DURATION",
      `${what} "${text}" is not a duration`,
      { hint: 'write a number with a unit: ms, s, m, h, d or w, e.g. "30s", "10m", "1h30m"' },
    );
  }
  let total = 0;
  for (const [, amount, unit] of compact.matchAll(PART)) total += Number(amount) * UNIT_MS[unit!]!;
  return Math.round(total);
}
