/**
 * kwargs must arrive at the task exactly as given, so they must survive a JSON round trip.
 * Find the first value that would not, and say where and what to do instead.
 */
import { limits } from "./limits.js";

/** A one-line problem naming the key path (e.g. `kwargs.items[3].when`), or undefined if safe. */
export function jsonProblem(value: unknown, path: string, seen: Set<object> = new Set(), maxDepth: number = limits().kwargsDepth, depth = 0): string | undefined {
  if (depth > maxDepth) {
    // Said before the walk goes deeper: a 5 000-level value would overflow the stack otherwise.
    const shown = path.length > 80 ? `${path.slice(0, 60)}…` : path;
    return `${shown}: nested deeper than ${maxDepth} levels (hooks limits.kwargsDepth); flatten it`;
  }
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return `${path}: ${value} would arrive as null; pass a finite number or a string`;
    // JSON has no negative zero: the task would get 0, a different value (Object.is).
    return Object.is(value, -0) ? `${path}: -0 would arrive as 0; pass 0` : undefined;
  }
  if (value === undefined) return `${path}: undefined would be dropped by JSON; omit the key or pass null`;
  if (typeof value === "bigint") return `${path}: BigInt cannot be sent as JSON; pass value.toString()`;
  if (typeof value === "function") return `${path}: a function cannot be sent to a job; pass a dotted path or data`;
  if (typeof value === "symbol") return `${path}: a Symbol cannot be sent as JSON`;
  if (value instanceof Date) {
    return `${path}: Date would arrive as a string; pass date.toISOString()`;
  }
  const obj = value as object;
  if (seen.has(obj)) return `${path}: circular reference; pass a tree of plain data`;
  if (Array.isArray(obj)) {
    seen.add(obj);
    for (let i = 0; i < obj.length; i++) {
      if (!(i in obj)) return `${path}[${i}]: empty array slot would arrive as null; fill it or use null`;
      const p = jsonProblem(obj[i], `${path}[${i}]`, seen, maxDepth, depth + 1);
      if (p) return p;
    }
    seen.delete(obj);
    return undefined;
  }
  const proto = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) {
    const name = (obj.constructor as { name?: string } | undefined)?.name ?? "object";
    return `${path}: ${name} instance would arrive as a plain object (or {}); pass plain data`;
  }
  if (Object.getOwnPropertySymbols(obj).length > 0) return `${path}: symbol keys are dropped by JSON`;
  seen.add(obj);
  for (const [k, v] of Object.entries(obj)) {
    const p = jsonProblem(v, /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, seen, maxDepth, depth + 1);
    if (p) return p;
  }
  seen.delete(obj);
  return undefined;
}
