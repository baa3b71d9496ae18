/**
 * Masking secrets before a value is shown (console, logs): every object key that contains one of
 * `keys` (case-insensitive substring, so "db_password" matches "password") has its value
 * replaced, at any depth. The input is never modified.
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = [
  "password",
  "passwd",
  "secret",
  "token",
  "api_key",
  "apikey",
  "authorization",
  "cookie",
  "private_key",
  "credential",
];

export const REDACTED = "[redacted]";

function masks(key: string, lowered: readonly string[]): boolean {
  const k = key.toLowerCase();
  return lowered.some((needle) => needle !== "" && k.includes(needle));
}

function walk(value: unknown, lowered: readonly string[], seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== "object") return value;
  // A cycle cannot come from JSON, but a caller may pass a live object.
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, lowered, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = masks(k, lowered) ? REDACTED : walk(v, lowered, seen);
  }
  return out;
}

export function redact<T>(value: T, keys: readonly string[] = DEFAULT_REDACT_KEYS): T {
  const lowered = keys.map((k) => k.toLowerCase());
  return walk(value, lowered, new WeakSet()) as T;
}
