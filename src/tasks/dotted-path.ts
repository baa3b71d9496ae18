/**
 * Dotted task paths (`my_app.tasks.process_queue`): the module path, then the export name.
 * Only identifiers are allowed, so a path can never spell `..`, `/` or an absolute file name.
 * The one dotted-path check: hooks validation and the task loader call parseDottedPath (with
 * its messages), enqueue and job options call isDottedPath (the same shape rule, no message).
 */
import { clip } from "./clip.js";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * True when `value` has the shape of a dotted path: at least two identifiers joined by single
 * dots. parseDottedPath adds one rule a loadable path needs (no node_modules segment) and says why.
 */
export function isDottedPath(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const segments = value.split(".");
  return segments.length >= 2 && segments.every((s) => IDENTIFIER.test(s));
}

/** A value quoted for a message, clipped when long (clip.ts). */
function quote(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(clip(value)) : JSON.stringify(value) ?? String(value);
}

export interface DottedPath {
  /** Folder and file segments: `["my_app", "tasks"]`. */
  moduleSegments: string[];
  /** `process_queue`. */
  exportName: string;
}

export const DOTTED_PATH_EXAMPLE = "my_app.tasks.daily_report";

/** The parsed path, or a message saying why it is not one. */
export function parseDottedPath(path: unknown): DottedPath | string {
  if (typeof path !== "string") {
    return `${quote(path)} is not a dotted path; write a string like "${DOTTED_PATH_EXAMPLE}"`;
  }
  if (path.includes("/") || path.includes("\\")) {
    return `${quote(path)} is a file path, not a dotted path; write module.function relative to the app root, like "${DOTTED_PATH_EXAMPLE}"`;
  }
  const segments = path.split(".");
  if (segments.some((s) => s === "")) {
    return `${quote(path)} has an empty segment (".." or a leading/trailing "."); write segments joined by single dots, like "${DOTTED_PATH_EXAMPLE}"`;
  }
  if (segments.length < 2) {
    return `${quote(path)} names no module; a dotted path is module.path.function, like "${DOTTED_PATH_EXAMPLE}"`;
  }
  const bad = segments.find((s) => !IDENTIFIER.test(s));
  if (bad !== undefined) {
    return `${quote(path)}: segment ${quote(bad)} is not an identifier; use letters, digits, "_" and "$", like "${DOTTED_PATH_EXAMPLE}"`;
  }
  if (segments.includes("node_modules")) {
    return `${quote(path)} points into node_modules; task paths name app modules under the app root`;
  }
  return { moduleSegments: segments.slice(0, -1), exportName: segments[segments.length - 1]! };
}
