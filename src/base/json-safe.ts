/**
 * The one JSON-safety check. Values that cross into a job (enqueue kwargs, hooks `kwargs`, a
 * job's status record) must arrive exactly as given, so they must survive a JSON round trip.
 * Find the first value that would not, and say where and what to do instead.
 *
 * The rules are the stricter of the two checks this replaces (queue kwargs and hooks kwargs):
 * besides what JSON drops or changes (undefined, functions, Symbols, BigInt, NaN/Infinity,
 * Dates, class instances), it refuses -0, empty array slots, symbol keys, cycles and nesting
 * deeper than `maxDepth` (checked before recursing, so a deep value cannot overflow the stack).
 */

/** Where the first unsafe value is (`kwargs.items[3].when`) and why it is unsafe, with the fix. */
export interface NonJson {
  path: string;
  reason: string;
}

/** The nesting depth checked when the caller has no limit of its own (hooks limits.kwargsDepth's default). */
export const DEFAULT_JSON_DEPTH = 64;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The first value in `value` that JSON would drop or change, or undefined if it is safe. */
export function findNonJson(value: unknown, path: string, maxDepth: number = DEFAULT_JSON_DEPTH): NonJson | undefined {
  return walk(value, path, new Set(), maxDepth, 0);
}

/** A one-line problem `<path>: <reason>`, or undefined if safe. */
export function jsonProblem(value: unknown, path: string, maxDepth: number = DEFAULT_JSON_DEPTH): string | undefined {
  const found = findNonJson(value, path, maxDepth);
  return found && `${found.path}: ${found.reason}`;
}

function walk(value: unknown, path: string, seen: Set<object>, maxDepth: number, depth: number): NonJson | undefined {
  const bad = (reason: string): NonJson => ({ path, reason });
  if (depth > maxDepth) {
    // Said before the walk goes deeper: a 5 000-level value would overflow the stack otherwise.
    const shown = path.length > 80 ? `${path.slice(0, 60)}…` : path;
    return { path: shown, reason: `nested deeper than ${maxDepth} levels (hooks limits.kwargsDepth); flatten it` };
  }
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return bad(`${value} would arrive as null; pass a finite number or a string`);
    // JSON has no negative zero: the task would get 0, a different value (Object.is).
    return Object.is(value, -0) ? bad("-0 would arrive as 0; pass 0") : undefined;
  }
  if (value === undefined) return bad("undefined would be dropped by JSON; omit the key or pass null");
  if (typeof value === "bigint") return bad("BigInt cannot be sent as JSON; pass value.toString()");
  if (typeof value === "function") return bad("a function cannot be sent to a job; pass a dotted path or data");
  if (typeof value === "symbol") return bad("a Symbol cannot be sent as JSON");
  if (value instanceof Date) return bad("Date would arrive as a string; pass date.toISOString()");
  const obj = value as object;
  if (seen.has(obj)) return bad("circular reference; pass a tree of plain data");
  if (Array.isArray(obj)) {
    seen.add(obj);
    for (let i = 0; i < obj.length; i++) {
      if (!(i in obj)) return { path: `${path}[${i}]`, reason: "empty array slot would arrive as null; fill it or use null" };
      const found = walk(obj[i], `${path}[${i}]`, seen, maxDepth, depth + 1);
      if (found) return found;
    }
    seen.delete(obj);
    return undefined;
  }
  const proto = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) {
    const name = (obj.constructor as { name?: string } | undefined)?.name ?? "object";
    return bad(`${name} instance would arrive as a plain object (or {}); pass plain data`);
  }
  if (Object.getOwnPropertySymbols(obj).length > 0) return bad("symbol keys are dropped by JSON");
  seen.add(obj);
  for (const [k, v] of Object.entries(obj)) {
    const found = walk(v, IDENTIFIER.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, seen, maxDepth, depth + 1);
    if (found) return found;
  }
  seen.delete(obj);
  return undefined;
}
