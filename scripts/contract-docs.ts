/**
 * The contract tables as docs: README's "Errors" section from src/errors.ts ERROR_CODES, and
 * docs/events.md from src/log/event-types.ts EVENT_TYPES. `npm run docs:contracts`
 * rewrites them; `--check` only reports a difference (test/contracts runs the check), so the
 * docs cannot drift from the tables.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ERROR_CODES, type ErrorCode, type ErrorCodeEntry } from "../src/base/errors.js";
import { EVENT_TYPES, RENAMED_EVENT_TYPES, type EventType, type EventTypeEntry } from "../src/log/event-types.js";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const ERRORS_START = "<!-- errors:start (generated from ERROR_CODES by npm run docs:contracts) -->";
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

/** docs/events.md, whole. */
export function renderEvents(): string {
  const rows = (Object.keys(EVENT_TYPES) as EventType[]).map((type) => {
    const e: EventTypeEntry = EVENT_TYPES[type];
    return `| \`${type}\` | ${cell(e.emitter)} | ${e.fields.map((f) => `\`${f}\``).join(", ")} | ${cell(e.meaning)} |`;
  });
  const renamed = Object.entries(RENAMED_EVENT_TYPES).map(([old, now]) => `| \`${old}\` | \`${now}\` |`);
  return [
    "<!-- generated from src/log/event-types.ts by scripts/contract-docs.ts: edit the table, then run npm run docs:contracts -->",
    "# Event types",
    "",
    "Every entry of the events stream (`scheduler logs`, `scheduler logs --json`, GET /api/events,",
    "the console's Live page) is `{ type, level, at, msg, jobId?, queue?, task?, worker?, data? }`.",
    "`type` is one of these, named `noun.verb_past`. Filter by one with `scheduler logs --event TYPE`",
    "or `?type=TYPE` (a prefix ending in `.`, e.g. `job.`, matches a family).",
    "",
    "| type | written by | fields | meaning |",
    "|---|---|---|---|",
    ...rows,
    "",
    "## Renamed types",
    "",
    "These were renamed to the one naming style. Only the new name is written; for one release the",
    "filters accept the old name too and match either (so do events written before the upgrade).",
    "",
    "| old | new |",
    "|---|---|",
    ...renamed,
    "",
  ].join("\n");
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
  return [
    { path: readme, want: replaceBetween(readFileSync(readme, "utf8"), ERRORS_START, ERRORS_END, renderErrors(), "README.md") },
    { path: `${ROOT}docs/events.md`, want: renderEvents() },
  ];
}

/** The doc files that differ from what the tables say. */
export function staleDocs(): string[] {
  return wantedDocs().filter((d) => !existsSync(d.path) || readFileSync(d.path, "utf8") !== d.want).map((d) => d.path.slice(ROOT.length));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--check")) {
    const stale = staleDocs();
    if (stale.length) {
      process.stderr.write(`contract-docs: out of date: ${stale.join(", ")} (run npm run docs:contracts)\n`);
      process.exitCode = 1;
    }
  } else {
    for (const d of wantedDocs()) writeFileSync(d.path, d.want);
  }
}
