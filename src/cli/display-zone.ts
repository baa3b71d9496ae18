/**
 * The one zone every time on the CLI is shown in: the configured one (hooks `timezone` or
 * SCHEDULER_TIMEZONE), or UTC with --utc; the machine's only when nothing is configured. Tables
 * and log lines name it, so two outputs an hour apart are never read as the same time.
 */
import type { ResolvedConfig } from "../config/types.js";

export function displayZone(options: { utc?: boolean }, config?: Pick<ResolvedConfig, "timezone">, env: NodeJS.ProcessEnv = process.env): string {
  if (options.utc) return "UTC";
  return config?.timezone ?? env.SCHEDULER_TIMEZONE ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The line under a table: "(times in Europe/Berlin)". */
export function zoneNote(zone: string): string {
  return `(times in ${zone})`;
}
