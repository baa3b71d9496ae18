/**
 * Validation of the hooks file's settings that are not schedules: event_expressions, queues,
 * retention and lists of dotted paths. Same rules as validate.ts: every problem collected, one
 * line each, nothing thrown.
 */
import { checkPositiveSeconds, checkQueue } from "../config/validate.js";
import { isPlainObject } from "../base/plain-object.js";
import type { Limits } from "../config/limits.js";
import { checkCronExpression } from "../schedule/cron-check.js";
import type { CronSeconds } from "../schedule/cron-dialect.js";
import { parseDottedPath } from "../tasks/dotted-path.js";
import { EVENT_NAMES } from "../schedule/events.js";
import { didYouMean } from "../base/suggest.js";
import { keyPath, type ProblemList } from "../base/problems.js";

const RETENTION_KEYS = ["finished", "failed"] as const;

export function validateEventExpressions(value: unknown, problems: ProblemList, seconds: CronSeconds): void {
  const base = "event_expressions";
  if (!isPlainObject(value)) {
    problems.add(base, `must be a map of event name -> cron expression, like { weekly: "0 0 * * 0" }, got ${describe(value)}`);
    return;
  }
  for (const [event, expression] of Object.entries(value)) {
    const at = keyPath(base, event);
    if (!(EVENT_NAMES as readonly string[]).includes(event)) {
      problems.add(at, `unknown event "${event}"${didYouMean(event, EVENT_NAMES)}; allowed: ${EVENT_NAMES.join(", ")}`);
    }
    const m = checkCronExpression(expression, seconds);
    if (m) problems.add(at, m);
  }
}

export function validateQueues(value: unknown, problems: ProblemList, bounds: Limits): void {
  if (!isPlainObject(value)) {
    problems.add("queues", `must be a map of queue name -> { timeout, workers, concurrency }, got ${describe(value)}`);
    return;
  }
  for (const [name, settings] of Object.entries(value)) {
    for (const [sub, message] of checkQueue(name, settings, didYouMean, bounds)) {
      problems.add(sub ? keyPath(keyPath("queues", name), sub) : keyPath("queues", name), message);
    }
  }
}

export function validateRetention(value: unknown, problems: ProblemList): void {
  if (!isPlainObject(value)) {
    problems.add("retention", `must be { finished?: seconds, failed?: seconds }, got ${describe(value)}`);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const at = keyPath("retention", key);
    if (!(RETENTION_KEYS as readonly string[]).includes(key)) {
      problems.add(at, `unknown key "${key}"${didYouMean(key, RETENTION_KEYS)}; allowed: finished, failed`);
    } else if (v !== undefined) {
      const m = checkPositiveSeconds(v);
      if (m) problems.add(at, m);
    }
  }
}

export function validatePathList(base: string, value: unknown, problems: ProblemList): void {
  if (!Array.isArray(value)) {
    problems.add(base, `must be a list of dotted paths, got ${describe(value)}`);
    return;
  }
  value.forEach((path, i) => {
    const parsed = parseDottedPath(path);
    if (typeof parsed === "string") problems.add(keyPath(base, i), parsed);
  });
}

/** A short description of a value of the wrong type, for messages. */
export function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}
