/**
 * Aligned text tables for human output: a header row, columns padded to their widest cell,
 * two spaces between columns. Cells are plain strings (no color), so widths are exact.
 */
import { escapeControl } from "../../security/terminal-text.js";

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Right-align (numbers). */
  right?: boolean;
  /** Cut longer cells to this many characters, ending in "…". */
  max?: number;
}

export function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s*\n\s*/g, " ");
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, Math.max(0, max - 1))}…`;
}

/** The table as lines (no trailing newline); an empty table is just its header. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  // Cells come from Redis: control characters shown escaped (src/security/terminal-text.ts), before widths are taken.
  const cells = rows.map((row) => columns.map((c) => (c.max ? truncate(escapeControl(c.value(row)), c.max) : escapeControl(c.value(row)))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i]!.right ? v.padStart(widths[i]!) : i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join("\n");
}

/** "key: value" lines with the keys padded to one width (for `jobs show`, the Redis section). */
export function renderPairs(pairs: ReadonlyArray<readonly [string, string]>, indent = ""): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${indent}${`${k}:`.padEnd(width + 2)}${escapeControl(v)}`).join("\n");
}
