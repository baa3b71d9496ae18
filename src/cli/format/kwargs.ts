/**
 * Kwargs from a command line: `--kwargs '{"a":1}'` and/or `key=value` pairs. A pair's value is
 * JSON when it parses as JSON (`n=3` -> 3, `on=true`, `tags=["a"]`), else the plain string
 * (`user=ann` -> "ann"). Mistakes are usage errors naming the argument.
 */
import { UsageError } from "../common.js";

/** "Unexpected token } in JSON at position 7" -> the position, when the engine gives one. */
function jsonPosition(message: string, text: string): string {
  const m = /position (\d+)/.exec(message);
  if (m) return `at position ${m[1]}`;
  // Node 20+ says e.g. `Unexpected end of JSON input` or `... (line 1 column 8)`
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return `at line ${lc[1]} column ${lc[2]}`;
  return /end of JSON input/.test(message) ? `at position ${text.length} (end of input)` : "";
}

export function parseKwargsJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const where = jsonPosition(msg, text);
    const why = msg.replace(/\s*(in JSON )?at position \d+.*$/, "").replace(/\s*\(line \d+ column \d+\)$/, "");
    throw new UsageError(`--kwargs is not valid JSON${where ? ` ${where}` : ""}: ${why}`, { hint: `pass an object, e.g. --kwargs '{"user": "ann"}'` });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`--kwargs must be a JSON object, got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}`, {
      hint: `e.g. --kwargs '{"user": "ann"}'`,
    });
  }
  return value as Record<string, unknown>;
}

function pairValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function parseKwargs(json: string | undefined, pairs: string[]): Record<string, unknown> {
  const kwargs: Record<string, unknown> = json === undefined ? {} : parseKwargsJson(json);
  const fromPairs = new Set<string>();
  for (const pair of pairs) {
    const i = pair.indexOf("=");
    if (i <= 0) throw new UsageError(`argument "${pair}" is not key=value`, { hint: "write kwargs as key=value, e.g. user=ann count=3" });
    const key = pair.slice(0, i);
    if (fromPairs.has(key) || Object.hasOwn(kwargs, key)) throw new UsageError(`kwarg "${key}" is given twice`, { hint: "pass each kwarg once" });
    fromPairs.add(key);
    // defineProperty, not assignment: `__proto__=x` must stay a plain kwarg, as JSON.parse makes it
    Object.defineProperty(kwargs, key, { value: pairValue(pair.slice(i + 1)), enumerable: true, writable: true, configurable: true });
  }
  return kwargs;
}
