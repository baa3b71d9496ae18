/**
 * Aligned text tables for human output: a header row, columns padded to their widest cell,
 * two spaces between columns. Cells are plain strings, so widths are exact; a column's `paint`
 * (colour) wraps a cell after it is padded, so escape codes never count in a width.
 */
import { escapeControl } from "../../security/terminal-text.js";

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Right-align (numbers). */
  right?: boolean;
  /** Cut longer cells to this many characters, ending in "…". */
  max?: number;
  /** Decorate the padded cell (e.g. colour it); never changes its visible width. */
  paint?: (text: string, row: T) => string;
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
  const line = (values: string[], row?: T) =>
    values
      .map((v, i) => {
        const padded = columns[i]!.right ? v.padStart(widths[i]!) : i === values.length - 1 ? v : v.padEnd(widths[i]!);
        const paint = columns[i]!.paint;
        // The padding stays outside the paint (trimEnd still trims the last column).
        return paint && row !== undefined ? padded.replace(/^(\s*)(.*?)(\s*)$/, (_, lead: string, text: string, trail: string) => lead + paint(text, row) + trail) : padded;
      })
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map((r, i) => line(r, rows[i]))].join("\n");
}

/** "key: value" lines with the keys padded to one width (for `jobs show`, the Redis section). */
export function renderPairs(pairs: ReadonlyArray<readonly [string, string]>, indent = ""): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${indent}${`${k}:`.padEnd(width + 2)}${escapeControl(v)}`).join("\n");
}
