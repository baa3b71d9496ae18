/**
 * hooks `tasks: { allow: [...] }`: which dotted paths a worker (or enqueue) may resolve at all.
 * Without it, any function exported by a module under the app root can be named by a job, and
 * naming a module runs its top-level code. With it, only listed modules, paths and globs (plus
 * every task, handler and on_failure the hooks file itself declares) resolve; anything else is
 * refused before its module is loaded.
 *
 * An entry matches a dotted path when it matches the whole path or its module part:
 *   "my_app.tasks"            every export of my_app/tasks.ts
 *   "my_app.tasks.send_*"     exports of it starting with send_  (`*`: within one segment)
 *   "my_app.jobs.*"           every export of every module directly under my_app/jobs
 *   "my_app.**"               everything under my_app            (`**`: any number of segments)
 * A module's `default` export is never a task unless the exact path (`my_app.tasks.default`)
 * is listed: default exports are often not meant to be called with job kwargs.
 *
 * Dotted globs are not file globs (the separator is "."), hence this small matcher.
 */
import { TaskResolutionError } from "../base/errors.js";

const KEY = Symbol.for("hooks-scheduler.task-allow");
type Holder = Record<symbol, readonly string[] | undefined>;

/** This process's allow list (undefined: no `tasks.allow`, every app export resolves). */
export function useTaskAllowList(entries: readonly string[] | undefined): void {
  (globalThis as unknown as Holder)[KEY] = entries;
}

export function taskAllowList(): readonly string[] | undefined {
  return (globalThis as unknown as Holder)[KEY];
}

const ENTRY = /^(\*\*|[A-Za-z_$*][\w$*]*)(\.(\*\*|[A-Za-z_$*][\w$*]*))*$/;

/** Check of hooks `tasks`; undefined when fine. */
export function checkTasksSetting(value: unknown): string | undefined {
  const usage = 'write tasks: { allow: ["my_app.tasks", "my_app.jobs.*"] } (modules, dotted paths or globs)';
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `must be an object; ${usage}`;
  const extra = Object.keys(value).find((k) => k !== "allow");
  if (extra !== undefined) return `unknown key "${extra}"; ${usage}`;
  const allow = (value as { allow?: unknown }).allow;
  if (!Array.isArray(allow)) return `allow must be a list; ${usage}`;
  const bad = allow.findIndex((e) => typeof e !== "string" || !ENTRY.test(e));
  if (bad >= 0) return `allow[${bad}] ${JSON.stringify(allow[bad])} is not a module, dotted path or glob; ${usage}`;
  return undefined;
}

const compiled = new Map<string, RegExp>();

function pattern(entry: string): RegExp {
  let re = compiled.get(entry);
  if (!re) {
    const body = entry
      .split(".")
      .map((seg) => (seg === "**" ? "[^.]+(?:\\.[^.]+)*" : seg.replace(/[$]/g, "\\$").replace(/\*/g, "[^.]*")))
      .join("\\.");
    re = new RegExp(`^${body}$`);
    compiled.set(entry, re);
  }
  return re;
}

/** True when `entries` let `dottedPath` resolve (see the header for the rules). */
export function isTaskAllowed(dottedPath: string, entries: readonly string[]): boolean {
  const dot = dottedPath.lastIndexOf(".");
  const modulePath = dottedPath.slice(0, dot);
  if (dottedPath.slice(dot + 1) === "default") return entries.includes(dottedPath);
  return entries.some((e) => pattern(e).test(dottedPath) || pattern(e).test(modulePath));
}

/** The refusal for a path the process's policy does not allow; undefined when allowed. */
export function taskRefusal(dottedPath: string, entries: readonly string[] | undefined = taskAllowList()): TaskResolutionError | undefined {
  const isDefault = dottedPath.endsWith(".default");
  if (isDefault && !(entries ?? []).includes(dottedPath)) {
    return new TaskResolutionError("TASK_DEFAULT_EXPORT", `task path "${dottedPath}": a module's default export is not a task`, {
      hint: `export a named function, or list "${dottedPath}" in hooks tasks.allow`,
    });
  }
  if (entries === undefined || isTaskAllowed(dottedPath, entries)) return undefined;
  return new TaskResolutionError("TASK_NOT_ALLOWED", `task path "${dottedPath}" is not in hooks tasks.allow`, {
    hint: "add its module (or a glob covering it) to tasks.allow in the hooks file",
  });
}
