/**
 * Upper bounds on what a job may carry and ask for, so one bad call cannot fill Redis, schedule
 * a job for never, retry a billion times or fork a hundred thousand workers. Each is refused
 * with a line naming the limit; hooks `limits: { ... }` raises (or lowers) any of them.
 */
import { EnqueueError } from "../base/errors.js";

export interface Limits {
  /** kwargs as JSON, bytes. */
  kwargsBytes: number;
  /** Nesting depth of kwargs (objects and lists). */
  kwargsDepth: number;
  /** A task's result as JSON, bytes; a larger one is not stored (the job still finishes). */
  resultBytes: number;
  /** The furthest delay (or `at`) in the future, seconds. */
  delaySeconds: number;
  /** retry.max. */
  retryMax: number;
  /** retry.delay and every computed backoff delay, seconds. */
  retryDelaySeconds: number;
  /** Job and queue timeouts, seconds. */
  timeoutSeconds: number;
  /** queues.<name>.workers. */
  workersPerQueue: number;
  /** queues.<name>.concurrency. */
  concurrencyPerWorker: number;
}

const DAY = 24 * 3600;

export const DEFAULT_LIMITS: Readonly<Limits> = {
  kwargsBytes: 1024 * 1024,
  kwargsDepth: 64,
  resultBytes: 1024 * 1024,
  delaySeconds: 366 * DAY,
  retryMax: 1000,
  retryDelaySeconds: 30 * DAY,
  timeoutSeconds: 366 * DAY,
  workersPerQueue: 256,
  concurrencyPerWorker: 10_000,
};

export const LIMIT_KEYS = Object.keys(DEFAULT_LIMITS) as Array<keyof Limits>;

const KEY = Symbol.for("hooks-scheduler.limits");
type Holder = Record<symbol, Limits | undefined>;

/** This process's limits: the defaults with hooks `limits` over them. */
export function useLimits(overrides: Partial<Limits> | undefined): void {
  (globalThis as unknown as Holder)[KEY] = overrides ? { ...DEFAULT_LIMITS, ...overrides } : undefined;
}

export function limits(): Limits {
  return (globalThis as unknown as Holder)[KEY] ?? DEFAULT_LIMITS;
}

/** Check of hooks `limits`; undefined when fine. */
export function checkLimits(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `must be an object like { kwargsBytes: 4194304 }; keys: ${LIMIT_KEYS.join(", ")}`;
  for (const [k, v] of Object.entries(value)) {
    if (!(LIMIT_KEYS as string[]).includes(k)) return `unknown limit "${k}"; allowed: ${LIMIT_KEYS.join(", ")}`;
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) return `${k} must be a number > 0, got ${JSON.stringify(v)}`;
  }
  return undefined;
}

/** The defaults with `overrides` over them, when those are valid (else the defaults). */
export function limitsWith(overrides: unknown): Limits {
  return overrides !== undefined && checkLimits(overrides) === undefined ? { ...DEFAULT_LIMITS, ...(overrides as Partial<Limits>) } : { ...DEFAULT_LIMITS };
}

/** "1.5 MB", "200 KB", "12 B". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, "")} KB`;
  return `${n} B`;
}

/** Bytes of a JSON text; exact only when it could be over `limit` (the cheap length test first). */
export function jsonBytesOver(text: string, limit: number): number | undefined {
  if (text.length * 3 <= limit) return undefined;
  const bytes = Buffer.byteLength(text);
  return bytes > limit ? bytes : undefined;
}

/** Refuse encoded kwargs past limits.kwargsBytes. */
export function checkKwargsSize(json: string): void {
  const limit = limits().kwargsBytes;
  const over = jsonBytesOver(json, limit);
  if (over !== undefined) {
    throw new EnqueueError("KWARGS_TOO_LARGE", `enqueue: kwargs are ${formatBytes(over)} as JSON; the limit is ${formatBytes(limit)} (hooks limits.kwargsBytes)`, {
      hint: "store large data elsewhere (a file, a table) and pass its id",
    });
  }
}

/** A limit message for a value over it: "delay 1e+20 s is over the limit of 31622400 s (hooks limits.delaySeconds)". */
export function overLimit(what: string, value: number, unit: string, key: keyof Limits, bounds: Limits = limits()): string | undefined {
  const limit = bounds[key];
  return value > limit ? `${what} ${formatNumber(value)}${unit} is over the limit of ${formatNumber(limit)}${unit} (hooks limits.${key})` : undefined;
}

/** Huge values short (1e+20 rather than twenty-one digits), others as written. */
function formatNumber(n: number): string {
  return Math.abs(n) >= 1e9 ? n.toExponential(2).replace(/\.?0+e/, "e") : String(Math.round(n * 1000) / 1000);
}
