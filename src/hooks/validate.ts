/**
 * Validation of a hooks definition. Every problem is collected (one line each: file, key path,
 * what is wrong, what to write) so a user fixes them all in one pass; nothing is thrown here.
 */
import { checkLogLevel, checkPositiveSeconds, checkSchedulerInterval, checkTimezone } from "../config/validate.js";
import { checkHooksRedis, checkPrefix } from "../redis/settings-checks.js";
import { isPlainObject } from "../base/plain-object.js";
import { durationMs } from "../base/duration.js";
import { findNonJson } from "../base/json-safe.js";
import { checkSigning } from "../security/signing.js";
import { checkRedactKeys } from "../security/redact.js";
import { checkTasksSetting } from "../tasks/task-allow.js";
import { retryProblem } from "../config/retry-policy.js";
import { checkLimits, limitsWith } from "../config/limits.js";
import { clip } from "../tasks/clip.js";
import { checkCronExpression } from "../schedule/cron-check.js";
import type { CronSeconds } from "../schedule/cron-dialect.js";
import { checkScheduleOptions, SCHEDULE_OPTION_KEYS } from "./schedule-options.js";
import { parseDottedPath } from "../tasks/dotted-path.js";
import { ALL_EVENT_KEYS, BUILTIN_QUEUE_NAMES, CRON_EVENTS, EVENT_NAMES } from "../schedule/events.js";
import { closest, didYouMean } from "../base/suggest.js";
import { keyPath, ProblemList, type Problem } from "../base/problems.js";
import { describe, validateEventExpressions, validatePathList, validateQueues, validateRetention } from "./validate-settings.js";

export const TOP_LEVEL_KEYS = [
  "scheduler_events",
  "event_expressions",
  "timezone",
  "scheduler_interval",
  "redis",
  "prefix",
  "app_root",
  "log_level",
  "queues",
  "retention",
  "job_failure_handlers",
  "signing",
  "redact",
  "tasks",
  "failover_grace",
  "key_layout",
  "cron_seconds",
  "limits",
] as const;

const ENTRY_KEYS = ["method", "queue", "timeout", "catchup", "jitter", "kwargs", "on_failure", "retry", ...SCHEDULE_OPTION_KEYS] as const;

export interface ValidateOptions {
  /**
   * "all": every unknown top-level key is an error (a `defineHooks({...})` object).
   * "typos": only keys close to a known one (Frappe-style named exports: the module may export
   * other things, but `schedular_events` is surely a typo).
   */
  unknownKeys: "all" | "typos";
}

export function validateHooks(definition: Record<string, unknown>, file: string, options: ValidateOptions): Problem[] {
  const problems = new ProblemList(file);
  const queueNames = new Set([...BUILTIN_QUEUE_NAMES, ...(isPlainObject(definition.queues) ? Object.keys(definition.queues) : [])]);

  for (const [key, value] of Object.entries(definition)) {
    if (value === undefined) continue;
    if ((TOP_LEVEL_KEYS as readonly string[]).includes(key)) {
      validateTopLevel(key, value, problems, queueNames, definition);
      continue;
    }
    const near = closest(key, TOP_LEVEL_KEYS);
    if (options.unknownKeys === "all" || near !== undefined) {
      problems.add(key, `unknown key "${key}"${didYouMean(key, TOP_LEVEL_KEYS)}; allowed: ${TOP_LEVEL_KEYS.join(", ")}`);
    }
  }
  return problems.items;
}

function validateTopLevel(key: string, value: unknown, problems: ProblemList, queueNames: Set<string>, definition: Record<string, unknown>): void {
  const seconds: CronSeconds = definition.cron_seconds === "last" ? "last" : "first";
  const single = (check: (v: unknown) => string | undefined) => {
    const message = check(value);
    if (message) problems.add(key, message);
  };
  switch (key) {
    case "scheduler_events":
      return validateEvents(value, problems, queueNames, seconds, limitsWith(definition.limits).kwargsDepth);
    case "event_expressions":
      return validateEventExpressions(value, problems, seconds);
    case "timezone":
      return single(checkTimezone);
    case "scheduler_interval":
      return single(checkSchedulerInterval);
    case "redis":
      return single(checkHooksRedis);
    case "prefix":
      return single(checkPrefix);
    case "log_level":
      return single(checkLogLevel);
    case "app_root":
      return single((v) => (typeof v === "string" && v.trim() !== "" ? undefined : `must be a folder path (relative to the hooks file), got ${JSON.stringify(v)}`));
    case "queues":
      return validateQueues(value, problems, limitsWith(definition.limits));
    case "retention":
      return validateRetention(value, problems);
    case "job_failure_handlers":
      return validatePathList("job_failure_handlers", value, problems);
    case "signing":
      return single(checkSigning);
    case "redact":
      return single(checkRedactKeys);
    case "tasks":
      return single(checkTasksSetting);
    case "failover_grace":
      return single(checkPositiveSeconds);
    case "key_layout":
      return single((v) => (v === "installation" || v === "queue" ? undefined : `must be "queue" (each queue on a hash tag of its own: a shard per queue on a cluster) or "installation" (every queue on {prefix}), got ${JSON.stringify(v)}`));
    case "cron_seconds":
      return single((v) => (v === "first" || v === "last" ? undefined : `must be "first" (seconds first in a 6-field cron, the default) or "last" (seconds last, as in Frappe/croniter), got ${JSON.stringify(v)}`));
    case "limits":
      return single(checkLimits);
  }
}

function validateEvents(events: unknown, problems: ProblemList, queueNames: Set<string>, seconds: CronSeconds, kwargsDepth: number): void {
  const base = "scheduler_events";
  if (!isPlainObject(events)) {
    problems.add(base, `must be a map of event name -> list of dotted paths, like { daily: ["my_app.tasks.daily_report"] }, got ${describe(events)}`);
    return;
  }
  for (const [event, value] of Object.entries(events)) {
    const at = keyPath(base, event);
    if (value === undefined) continue;
    if ((CRON_EVENTS as readonly string[]).includes(event)) {
      validateCronMap(event, value, at, problems, queueNames, seconds, kwargsDepth);
    } else if ((EVENT_NAMES as readonly string[]).includes(event)) {
      if (isPlainObject(value)) {
        problems.add(at, `is a map where a list is needed; write ${event}: ["my_app.tasks.fn", ...] (only cron and cron_long take a map of expression -> list)`);
      } else {
        validateEntryList(value, at, problems, queueNames, kwargsDepth);
      }
    } else {
      problems.add(at, `unknown event "${event}"${didYouMean(event, ALL_EVENT_KEYS)}; allowed: ${ALL_EVENT_KEYS.join(", ")}`);
    }
  }
}

function validateCronMap(event: string, value: unknown, at: string, problems: ProblemList, queueNames: Set<string>, seconds: CronSeconds, kwargsDepth: number): void {
  if (Array.isArray(value)) {
    problems.add(at, `is a list where a map is needed; write ${event}: { "0 9 * * *": ["my_app.tasks.fn"] } (cron expression -> list of dotted paths)`);
    return;
  }
  if (!isPlainObject(value)) {
    problems.add(at, `must be a map of cron expression -> list of dotted paths, got ${describe(value)}`);
    return;
  }
  for (const [expression, list] of Object.entries(value)) {
    const entryAt = keyPath(at, expression);
    const cronProblem = checkCronExpression(expression, seconds);
    if (cronProblem) problems.add(entryAt, cronProblem);
    if (isPlainObject(list)) {
      problems.add(entryAt, `is a map where a list is needed; write "${expression}": ["my_app.tasks.fn", ...]`);
      continue;
    }
    validateEntryList(list, entryAt, problems, queueNames, kwargsDepth);
  }
}

function validateEntryList(list: unknown, at: string, problems: ProblemList, queueNames: Set<string>, kwargsDepth: number): void {
  if (!Array.isArray(list)) {
    problems.add(at, `must be a list of dotted paths, like ["my_app.tasks.fn"], got ${describe(list)}`);
    return;
  }
  // Indexes per method: a duplicate is reported once with its count, however many times it repeats.
  const seen = new Map<string, number[]>();
  list.forEach((entry, index) => {
    const entryAt = keyPath(at, index);
    const method = validateEntry(entry, entryAt, problems, queueNames, kwargsDepth);
    if (method === undefined) return;
    const at_ = seen.get(method);
    if (at_) at_.push(index);
    else seen.set(method, [index]);
  });
  for (const [method, indexes] of seen) {
    if (indexes.length < 2) continue;
    if (indexes.length === 2) {
      problems.add(keyPath(at, indexes[1]!), `duplicate entry "${clip(method)}" (also at index ${indexes[0]}); list each task once per event`);
      continue;
    }
    const shown = indexes.slice(0, 5).join(", ") + (indexes.length > 5 ? ` and ${indexes.length - 5} more` : "");
    problems.add(keyPath(at, indexes[1]!), `duplicate entry "${clip(method)}": listed ${indexes.length} times (at indexes ${shown}); list each task once per event`);
  }
}

/** Checks one entry; returns its method when it has a usable one (for the duplicate check). */
function validateEntry(entry: unknown, at: string, problems: ProblemList, queueNames: Set<string>, kwargsDepth: number): string | undefined {
  if (typeof entry === "string") {
    const parsed = parseDottedPath(entry);
    if (typeof parsed === "string") {
      problems.add(at, parsed);
      return undefined;
    }
    return entry;
  }
  if (!isPlainObject(entry)) {
    problems.add(at, `must be a dotted path string or { method: "my_app.tasks.fn", queue?, timeout?, catchup?, jitter?, kwargs?, on_failure?, retry? }, got ${describe(entry)}`);
    return undefined;
  }
  for (const key of Object.keys(entry)) {
    if (!(ENTRY_KEYS as readonly string[]).includes(key)) {
      problems.add(keyPath(at, key), `unknown entry key "${key}"${didYouMean(key, ENTRY_KEYS)}; allowed: ${ENTRY_KEYS.join(", ")}`);
    }
  }
  let method: string | undefined;
  if (entry.method === undefined) {
    problems.add(at, `has no "method"; write { method: "my_app.tasks.fn", ... }`);
  } else {
    const parsed = parseDottedPath(entry.method);
    if (typeof parsed === "string") problems.add(keyPath(at, "method"), parsed);
    else method = entry.method as string;
  }
  if (entry.queue !== undefined) {
    if (typeof entry.queue !== "string" || !queueNames.has(entry.queue)) {
      const name = String(entry.queue);
      problems.add(
        keyPath(at, "queue"),
        `unknown queue ${JSON.stringify(entry.queue)}${didYouMean(name, [...queueNames])}; allowed: ${[...queueNames].join(", ")} (declare custom queues under \`queues\`)`,
      );
    }
  }
  if (entry.timeout !== undefined) {
    const m = checkPositiveSeconds(entry.timeout);
    if (m) problems.add(keyPath(at, "timeout"), m);
  }
  if (entry.jitter !== undefined && !(typeof entry.jitter === "number" && Number.isFinite(entry.jitter) && entry.jitter >= 0)) {
    problems.add(keyPath(at, "jitter"), `${JSON.stringify(entry.jitter)} is not a number of seconds >= 0`);
  }
  if (entry.catchup !== undefined) {
    const m = checkCatchup(entry.catchup);
    if (m) problems.add(keyPath(at, "catchup"), m);
  }
  checkScheduleOptions(entry, at, problems);
  if (entry.on_failure !== undefined) {
    const parsed = parseDottedPath(entry.on_failure);
    if (typeof parsed === "string") problems.add(keyPath(at, "on_failure"), parsed);
  }
  if (entry.retry !== undefined) {
    const m = retryProblem(entry.retry);
    if (m) problems.add(keyPath(at, "retry"), `${m}; write retry: 3 or { max: 3, backoff: "exponential", delay: 60 }`);
  }
  if (entry.kwargs !== undefined) {
    if (!isPlainObject(entry.kwargs)) problems.add(keyPath(at, "kwargs"), `must be a plain object of keyword arguments, got ${describe(entry.kwargs)}`);
    else {
      const bad = findNonJson(entry.kwargs, "kwargs", kwargsDepth);
      if (bad) problems.add(keyPath(at, "kwargs"), `${bad.path} does not survive JSON (${bad.reason}); use strings, numbers, booleans, null, arrays and plain objects`);
    }
  }
  return method;
}

function checkCatchup(value: unknown): string | undefined {
  const usage = `use "latest" (one run after downtime, the default), "none", or { all: true, window?: seconds | "6h" }`;
  if (value === "latest" || value === "none") return undefined;
  if (isPlainObject(value) && value.all === true && Object.keys(value).every((k) => k === "all" || k === "window")) {
    const w = value.window;
    if (w === undefined || ((typeof w === "number" || typeof w === "string") && durationMs(w) !== undefined)) return undefined;
    return `window ${JSON.stringify(w)} is not seconds or a duration like "30m", "6h", "2d"; ${usage}`;
  }
  return `${JSON.stringify(value)} is not a catch-up policy; ${usage}`;
}

