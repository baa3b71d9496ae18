/**
 * Strings from Redis (job ids, methods, error messages, worker names, event texts) are written
 * by whoever can write Redis. Printed raw, an ANSI escape in one could clear the screen, rewrite
 * earlier lines or retitle the terminal. Human output shows every control character as a
 * visible escape instead: `\x1b`, `\r`, `\u009b`. JSON output needs no help (JSON escapes C0).
 */

/** C0 controls, DEL, C1 controls, and the Unicode line/paragraph separators and bidi overrides. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same, sparing newline and tab (for whole blocks of our own lines). */
const CONTROL_IN_BLOCK = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f", "\v": "\\v" };

function visible(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** One value for one cell or line: every control character escaped, newlines included. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, visible);
}

/** A block of lines we composed: control characters escaped, our newlines and tabs kept. */
export function escapeControlInBlock(text: string): string {
  return text.replace(CONTROL_IN_BLOCK, visible);
}

/** Every string in a JSON-like value escaped (for records formatted field by field). */
export function escapeStrings<T>(value: T, depth = 0): T {
  if (typeof value === "string") return escapeControl(value) as T;
  if (depth > 32 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => escapeStrings(v, depth + 1)) as T;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[escapeControl(k)] = escapeStrings(v, depth + 1);
  return out as T;
}
