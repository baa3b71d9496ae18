/**
 * The named scheduler events (Frappe's vocabulary) and the schedule each one means.
 * `_long` variants fire at the same times as their base event but go to the "long" queue.
 * `hourly_maintenance` / `daily_maintenance` are Frappe's newer events for housekeeping: same
 * times as `hourly` / `daily`, on the "long" queue (Frappe's ScheduledJobType.get_queue_name).
 */

export type EventName =
  | "all"
  | "hourly"
  | "daily"
  | "weekly"
  | "monthly"
  | "yearly"
  | "annual"
  | "hourly_long"
  | "daily_long"
  | "weekly_long"
  | "monthly_long"
  | "yearly_long"
  | "annual_long"
  | "hourly_maintenance"
  | "daily_maintenance";

export const EVENT_NAMES: readonly EventName[] = [
  "all",
  "hourly",
  "daily",
  "weekly",
  "monthly",
  "yearly",
  "annual",
  "hourly_long",
  "daily_long",
  "weekly_long",
  "monthly_long",
  "yearly_long",
  "annual_long",
  "hourly_maintenance",
  "daily_maintenance",
];

/** Keys of scheduler_events that hold a map of cron expression -> list. */
export const CRON_EVENTS = ["cron", "cron_long"] as const;

/** Every key scheduler_events accepts, for "did you mean" and the allowed list. */
export const ALL_EVENT_KEYS: readonly string[] = [...EVENT_NAMES, ...CRON_EVENTS];

/**
 * Default expressions. Weekly is Monday 00:00 as the reference says (Frappe itself uses Sunday;
 * `event_expressions: { weekly: "0 0 * * 0" }` restores that). `all` is handled apart: it fires
 * every scheduler_interval seconds (see `allExpression`).
 */
export const BASE_EXPRESSIONS: Readonly<Record<string, string>> = {
  hourly: "0 * * * *",
  daily: "0 0 * * *",
  weekly: "0 0 * * 1",
  monthly: "0 0 1 * *",
  yearly: "0 0 1 1 *",
  annual: "0 0 1 1 *",
};

/** The special form the scheduler's next-fire module reads: slots at multiples of N s since the epoch. */
export function allExpression(intervalSeconds: number): string {
  return `@every ${intervalSeconds}`;
}

/** Suffixes of events that fire like their base event and go to the "long" queue. */
const LONG_SUFFIXES = ["_long", "_maintenance"] as const;

export function isLongEvent(event: string): boolean {
  return LONG_SUFFIXES.some((suffix) => event.endsWith(suffix));
}

/** `daily_long` -> `daily`; `daily_maintenance` -> `daily`; `daily` -> `daily`. */
export function baseEvent(event: string): string {
  const suffix = LONG_SUFFIXES.find((s) => event.endsWith(s));
  return suffix ? event.slice(0, -suffix.length) : event;
}

/** The queue a plain entry of this event goes to. */
export function eventQueue(event: string): string {
  return isLongEvent(event) ? "long" : "default";
}

export const BUILTIN_QUEUE_NAMES: readonly string[] = ["short", "default", "long"];
