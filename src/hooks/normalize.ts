/**
 * A validated hooks definition -> the list of (task, schedule) pairs the scheduler fires.
 * Assumes `validateHooks` found no problems; the order is the declaration order.
 */
import { scheduleOptionsOf } from "./schedule-options.js";
import { DEFAULT_SCHEDULER_INTERVAL } from "../config/defaults.js";
import { canonicalCron } from "../schedule/cron-dialect.js";
import { allExpression, BASE_EXPRESSIONS, baseEvent, CRON_EVENTS, eventQueue } from "../schedule/events.js";
import { normalizeRetry } from "../config/retry-policy.js";
import { keyPath } from "../base/problems.js";
import type { HooksDefinition, ScheduledTask, TaskEntry } from "./types.js";
import type { EventName } from "../schedule/events.js";

/**
 * The expression a named event fires on: its `event_expressions` override, else the override of
 * its base event (so overriding `weekly` moves `weekly_long` too), else the default.
 */
export function eventExpression(event: string, hooks: HooksDefinition): string {
  const overrides = (hooks.event_expressions ?? {}) as Record<string, string | undefined>;
  const own = overrides[event] ?? overrides[baseEvent(event)];
  if (own !== undefined) return own.trim();
  const base = baseEvent(event);
  if (base === "all") return allExpression(hooks.scheduler_interval ?? DEFAULT_SCHEDULER_INTERVAL);
  const expression = BASE_EXPRESSIONS[base];
  if (expression === undefined) throw new Error(`no expression for event "${event}"`);
  return expression;
}

export function normalizeHooks(hooks: HooksDefinition): ScheduledTask[] {
  const tasks: ScheduledTask[] = [];
  const events = (hooks.scheduler_events ?? {}) as Record<string, unknown>;
  for (const [event, value] of Object.entries(events)) {
    if (value === undefined) continue;
    const at = keyPath("scheduler_events", event);
    if ((CRON_EVENTS as readonly string[]).includes(event)) {
      for (const [expression, list] of Object.entries(value as Record<string, TaskEntry[]>)) {
        const trimmed = expression.trim();
        (list ?? []).forEach((entry, i) => {
          tasks.push(toTask(entry, event, trimmed, `${event}:${trimmed}`, keyPath(keyPath(at, expression), i)));
        });
      }
    } else {
      const expression = eventExpression(event as EventName, hooks);
      (value as TaskEntry[]).forEach((entry, i) => tasks.push(toTask(entry, event, expression, event, keyPath(at, i))));
    }
  }
  // The cron as written (croniter's dialect: H, seconds last, wrap-around ranges) -> what the
  // scheduler parses; H is seeded by the task id, so every daemon computes the same slots.
  const seconds = hooks.cron_seconds ?? "first";
  for (const t of tasks) t.expression = canonicalCron(t.expression, { seconds, seed: t.id });
  return tasks;
}

/**
 * The string as one flat copy. Why: a string built with `+` or a template is kept by V8 as a
 * tree of its parts; an id and a source are several such nodes together, kept for every task
 * the daemon runs, which adds up with 100 000 cron entries (bench/README.md, scale).
 */
const flat = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

function toTask(entry: TaskEntry, event: string, expression: string, idPrefix: string, source: string): ScheduledTask {
  const options = typeof entry === "string" ? { method: entry } : entry;
  const task: ScheduledTask = {
    id: flat(`${idPrefix}|${options.method}`),
    event,
    expression,
    method: options.method,
    queue: options.queue ?? eventQueue(event),
    catchup: options.catchup ?? "latest",
    jitter: options.jitter ?? 0,
    kwargs: options.kwargs ?? {},
    source: flat(source),
    ...scheduleOptionsOf(options),
  };
  if (options.timeout !== undefined) task.timeout = options.timeout;
  if (options.on_failure !== undefined) task.onFailure = options.on_failure;
  const retry = normalizeRetry(options.retry);
  if (retry !== undefined) task.retry = retry;
  return task;
}
