/**
 * One event as one human line, for `scheduler logs`:
 *
 *   2026-03-01 11:00:00.000  INFO   job.started    short    8f3a...  started my_app.tasks.send (attempt 1)
 *
 * Time in the local zone (or the one given), level, type, queue, job id, message; progress
 * events add "45% title: description". Color only when asked (a TTY).
 */
import { DateTime } from "luxon";
import type { EventLevel, SchedulerEvent } from "./events.js";

const COLOR: Record<EventLevel, string> = { debug: "\x1b[90m", info: "\x1b[36m", warn: "\x1b[33m", error: "\x1b[31m" };
const RESET = "\x1b[0m";

export interface FormatOptions {
  color?: boolean;
  /** IANA zone for the time column; default the machine's. */
  zone?: string;
  /** Name the zone after the time ("2026-03-01 11:00:00.000 CET"). */
  zoneName?: boolean;
}

export interface ProgressData {
  percent: number;
  title?: string;
  description?: string;
}

/** The progress payload of a job.progress event, or undefined when it has none. */
export function progressOf(event: SchedulerEvent): ProgressData | undefined {
  if (event.type !== "job.progress") return undefined;
  const percent = Number(event.data?.percent);
  if (!Number.isFinite(percent)) return undefined;
  const title = typeof event.data?.title === "string" ? event.data.title : undefined;
  const description = typeof event.data?.description === "string" ? event.data.description : undefined;
  return { percent: Math.max(0, Math.min(100, percent)), title, description };
}

export function describeProgress(p: ProgressData): string {
  const text = [p.title, p.description].filter(Boolean).join(": ");
  return `${Math.round(p.percent)}%${text ? ` ${text}` : ""}`;
}

export function formatTime(at: number, zone?: string): string {
  const time = zone ? DateTime.fromMillis(at, { zone }) : DateTime.fromMillis(at);
  return time.toFormat("yyyy-LL-dd HH:mm:ss.SSS");
}

/** "CET", "UTC", or "GMT+5" where the zone has no common abbreviation. */
export function zoneAbbreviation(at: number, zone?: string): string {
  return (zone ? DateTime.fromMillis(at, { zone }) : DateTime.fromMillis(at)).toFormat("ZZZZ");
}

export function formatEvent(event: SchedulerEvent, options: FormatOptions = {}): string {
  const level = event.level.toUpperCase().padEnd(5);
  const progress = progressOf(event);
  // A progress event's msg repeats its data ("45% Import"); the data says it better.
  const msg = progress ? describeProgress(progress) : event.msg;
  const columns = [
    options.zoneName ? `${formatTime(event.at, options.zone)} ${zoneAbbreviation(event.at, options.zone)}` : formatTime(event.at, options.zone),
    options.color ? `${COLOR[event.level] ?? ""}${level}${RESET}` : level,
    event.type.padEnd(14),
    (event.queue ?? "-").padEnd(8),
    event.jobId ?? "-",
    msg,
  ];
  return columns.join("  ");
}
