/**
 * Masking of secrets in data that leaves the worker: failure notifiers (webhook, email),
 * `scheduler jobs show`, the logs and the event stream. A key matches when, lowercased and
 * with every character that is not a letter or digit removed, it contains one of the list's
 * entries normalized the same way: "api_key" masks `apiKey`, `X-Api-Key` and `stripe_api_key`.
 * Substring matching over-masks a little (`tokenCount`) rather than leak `db_password_2`.
 *
 * Passwords inside URLs are masked in every string as well (`redis://:pw@host`,
 * `?password=pw`), whatever the key, because connection strings end up in kwargs and messages.
 */
import { redactUrlsIn } from "./redact-url.js";

/** What hooks `redact` defaults to; a hooks list replaces it (add these to keep them). */
export const DEFAULT_REDACT_KEYS: readonly string[] = [
  "password",
  "passwd",
  "pwd",
  "secret",
  "token",
  "authorization",
  "api_key",
  "apikey",
  "private_key",
  "credential",
  "cookie",
  "session",
  "signature",
];

export const REDACTED = "[redacted]";

/** Nesting deeper than this is cut (with a marker) rather than walked: the walk must not overflow. */
const MAX_DEPTH = 64;

const normalize = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Normalized lists, made once per list (the default one is shared by every caller). */
const compiled = new WeakMap<readonly string[], readonly string[]>();

function matcher(keys: readonly string[]): readonly string[] {
  let found = compiled.get(keys);
  if (!found) {
    found = keys.map(normalize).filter((k) => k !== "");
    compiled.set(keys, found);
  }
  return found;
}

/**
 * The answer per key name, per list: the same few names (a log record's fields) come back on
 * every call, and normalizing one is most of a small record's cost. Capped, since keys of
 * kwargs can be anything.
 */
const decisions = new WeakMap<readonly string[], Map<string, boolean>>();
const MAX_REMEMBERED_KEYS = 4096;

function secretBy(list: readonly string[], key: string): boolean {
  let known = decisions.get(list);
  if (!known) decisions.set(list, (known = new Map()));
  let secret = known.get(key);
  if (secret === undefined) {
    const n = normalize(key);
    secret = n !== "" && list.some((entry) => n.includes(entry));
    if (known.size < MAX_REMEMBERED_KEYS) known.set(key, secret);
  }
  return secret;
}

/** isSecretKey, its answer remembered per key name (for the same few names on every call). */
export function isSecretKeyIn(keys: readonly string[], key: string): boolean {
  return secretBy(matcher(keys), key);
}

/** True when `key` names a secret by `keys` (see the header for the rule). */
export function isSecretKey(key: string, keys: readonly string[] = DEFAULT_REDACT_KEYS): boolean {
  const k = normalize(key);
  return k !== "" && matcher(keys).some((entry) => k.includes(entry));
}

/**
 * A copy of `value` with the value of every matching key, at any depth, replaced by
 * "[redacted]", and URL passwords in strings masked. Plain objects and arrays are copied;
 * other objects (Date, Buffer, class instances) are returned as they are. Cycles are kept as
 * "[circular]". The input is never modified.
 */
export function redact<T>(value: T, keys: readonly string[] = DEFAULT_REDACT_KEYS): T {
  const list = matcher(keys);
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") return redactUrlsIn(v);
    if (typeof v !== "object" || v === null) return v;
    if (!Array.isArray(v) && !isPlain(v)) return v;
    if (seen.has(v)) return "[circular]";
    if (depth >= MAX_DEPTH) return "[too deep]";
    seen.add(v);
    let out: unknown;
    if (Array.isArray(v)) {
      out = v.map((item) => walk(item, depth + 1));
    } else {
      const copy: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.create(null) : {};
      for (const [k, item] of Object.entries(v)) copy[k] = secretBy(list, k) ? REDACTED : walk(item, depth + 1);
      out = copy;
    }
    seen.delete(v);
    return out;
  };
  return walk(value, 0) as T;
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Check of hooks `redact`: a list of non-empty key names. undefined when fine. */
export function checkRedactKeys(value: unknown): string | undefined {
  const usage = `write redact: ["password", "token", ...] (a list of key names; it replaces the default ${DEFAULT_REDACT_KEYS.length}-name list)`;
  if (!Array.isArray(value)) return `must be a list of key names; ${usage}`;
  const bad = value.findIndex((k) => typeof k !== "string" || normalize(k) === "");
  if (bad >= 0) return `entry ${bad} is not a key name (letters or digits); ${usage}`;
  return undefined;
}
