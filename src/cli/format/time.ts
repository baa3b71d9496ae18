/**
 * Times and durations for human output. Absolute times reuse the `logs` format (local zone, or
 * the configured one); ages and durations are short ("45s", "3m 20s", "2h 5m", "3d 4h").
 */
import { DateTime } from "luxon";
import { formatTime } from "../../log/format-event.js";

/** "2026-03-01 11:00:00" in `zone` (default: the machine's), or "-" when absent. */
export function formatWhen(at: number | undefined, zone?: string): string {
  if (at === undefined || !Number.isFinite(at) || at <= 0) return "-";
  // the `logs` time column without its milliseconds: one format across the CLI
  return formatTime(at, zone).slice(0, 19);
}

/** A span of milliseconds in at most two units: "850ms", "12s", "3m 20s", "2h 5m", "3d 4h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  const sign = ms < 0 ? "-" : "";
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)}ms`;
  if (abs < 10_000) return `${sign}${(Math.floor(abs / 100) / 10).toString()}s`;
  const units: Array<[string, number]> = [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ];
  const parts: string[] = [];
  let rest = abs;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || parts.length > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  // "3m 0s" reads worse than "3m"
  const shown = parts.length === 2 && parts[1]!.startsWith("0") ? [parts[0]!] : parts;
  return sign + shown.join(" ");
}

/** "12s ago", "in 3m" relative to `now`, or "-" when absent. */
export function formatAgo(at: number | undefined, now: number): string {
  if (at === undefined || !Number.isFinite(at) || at <= 0) return "-";
  const d = now - at;
  return d >= 0 ? `${formatDuration(d)} ago` : `in ${formatDuration(-d)}`;
}

/** Bytes as "1.2M" / "512K" / "900B", like Redis's used_memory_human. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "-";
  const units = ["B", "K", "M", "G", "T"];
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n}B` : `${n.toFixed(n < 10 ? 2 : 1)}${units[i]}`;
}

/** A schedule's slot in `zone` with its UTC offset ("2026-03-29 03:00:00 +02:00"): DST shows. */
export function formatSlot(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat("yyyy-LL-dd HH:mm:ss ZZ");
}
