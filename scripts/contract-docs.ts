/**
 * The contract tables as docs: README's "Errors" section from src/errors.ts ERROR_CODES, and
 * docs/events.md from src/log/event-types.ts EVENT_TYPES. `npx jiti scripts/contract-docs.ts`
 * rewrites them; `--check` only reports a difference (test/contracts runs the check), so the
 * docs cannot drift from the tables.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ERROR_CODES, type ErrorCode, type ErrorCodeEntry } from "../src/errors.js";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const ERRORS_START = "<!-- errors:start (generated from src/errors.ts by scripts/contract-docs.ts) -->";
export const ERRORS_END = "<!-- errors:end -->";

const cell = (text: string) => text.replace(/\|/g, "\\|");

/** The table README shows between the two markers. */
export function renderErrors(): string {
  const rows = (Object.keys(ERROR_CODES) as ErrorCode[]).sort().map((code) => {
    const e: ErrorCodeEntry = ERROR_CODES[code];
    const exit = e.exit === undefined ? "-" : String(e.exit);
    const http = e.http === undefined ? "-" : String(e.http);
    return `| \`${code}\` | ${e.class === "none" ? "-" : `\`${e.class}\``} | ${exit} | ${http} | ${cell(e.meaning)} |`;
  });
  return ["| code | class | CLI exit | HTTP | meaning |", "|---|---|---|---|---|", ...rows].join("\n");
}

/** `text` with what lies between `start` and `end` replaced by `body`. */
export function replaceBetween(text: string, start: string, end: string, body: string, file: string): string {
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${file}: markers ${start} ... ${end} not found`);
  return `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`;
}

export interface DocFile {
  path: string;
  want: string;
}

export function wantedDocs(): DocFile[] {
  const readme = `${ROOT}README.md`;
  return [{ path: readme, want: replaceBetween(readFileSync(readme, "utf8"), ERRORS_START, ERRORS_END, renderErrors(), "README.md") }];
}

/** The doc files that differ from what the tables say. */
export function staleDocs(): string[] {
  return wantedDocs().filter((d) => readFileSync(d.path, "utf8") !== d.want).map((d) => d.path.slice(ROOT.length));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--check")) {
    const stale = staleDocs();
    if (stale.length) {
      process.stderr.write(`contract-docs: out of date: ${stale.join(", ")} (run npx jiti scripts/contract-docs.ts)\n`);
      process.exitCode = 1;
    }
  } else {
    for (const d of wantedDocs()) writeFileSync(d.path, d.want);
  }
}
