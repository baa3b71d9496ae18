/**
 * Problems found in a hooks file, collected rather than thrown one at a time, so a user fixes
 * every mistake in one pass. Each renders as one line: `<file>: <key path>: <what is wrong>`.
 */
import { isAbsolute, relative } from "node:path";
import { HooksError } from "./errors.js";

export interface Problem {
  /** Absolute path of the file the key is in. */
  file: string;
  /** Where in the file: `scheduler_events.cron["0 9 * * *"][0]`. Empty for the file itself. */
  key: string;
  message: string;
}

/** A path as the user would type it: relative to the working folder when inside it. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}

export function problemLine(p: Problem): string {
  return p.key ? `${displayPath(p.file)}: ${p.key}: ${p.message}` : `${displayPath(p.file)}: ${p.message}`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Append one step to a key path: `.name` for identifiers, `[0]` for indexes, `["0 9 * * *"]` otherwise. */
export function keyPath(base: string, step: string | number): string {
  if (typeof step === "number") return `${base}[${step}]`;
  if (IDENTIFIER.test(step)) return base ? `${base}.${step}` : step;
  return `${base}[${JSON.stringify(step)}]`;
}

/** Collects problems of one file. */
export class ProblemList {
  readonly items: Problem[] = [];
  constructor(readonly file: string) {}
  add(key: string, message: string): void {
    this.items.push({ file: this.file, key, message });
  }
  get empty(): boolean {
    return this.items.length === 0;
  }
}

/** The hooks file does not validate: every problem, one line each, in `message` and `problems`. */
export class HooksValidationError extends HooksError {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super("HOOKS_INVALID", problems.map(problemLine).join("\n"), {
      hint: problems.length > 1 ? `${problems.length} problems; fix each line above` : undefined,
    });
    this.problems = problems;
  }
}
