/**
 * What kind of file `--hooks` names, and how to describe a value without quoting it: an error
 * about the wrong file (`--hooks /etc/passwd`, a key file) must never print its content.
 */
import { basename, extname } from "node:path";

const MODULE_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];

/** undefined when `file` may hold hooks (a module, or a .json such as package.json); else why not. */
export function notAHooksFile(file: string): string | undefined {
  const ext = extname(file).toLowerCase();
  if (MODULE_EXTENSIONS.includes(ext) || ext === ".json") return undefined;
  const kind = ext === "" ? `has no extension ("${basename(file).slice(0, 60)}")` : `ends in "${ext.slice(0, 20)}"`;
  return `is not a hooks file: it ${kind}; a hooks file is a .ts, .mts, .js or .mjs module, or a package.json with a "scheduler" key`;
}

/** A value's kind and size, never its content ("a string of 1523 characters", "a list of 3 items"). */
export function shapeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? "" : "s"}`;
  if (typeof value === "string") return `a string of ${value.length} character${value.length === 1 ? "" : "s"}`;
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return "an object that is not a plain object";
  return `a ${typeof value}`;
}
