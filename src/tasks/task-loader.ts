/**
 * Dotted paths -> task functions, confined to the app root (implements TaskTable).
 *
 * `my_app.tasks.process_queue` is the export `process_queue` of `my_app/tasks.{ts,mts,js,mjs}`
 * or `my_app/tasks/index.{ts,mts,js,mjs}` under the app root. The resolved file's realpath must
 * stay inside the root's realpath (a symlink cannot lead out) and outside node_modules. Every
 * function a loaded module exports is recorded in processState().taskPaths, so `pathOf(fn)` (and so
 * `enqueue(send_notification)`) maps a function back to its dotted path.
 */
import { realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { TaskResolutionError } from "../base/errors.js";
import { processState } from "../base/process-state.js";
import { parseDottedPath } from "./dotted-path.js";
import { displayPath, type Problem } from "../base/problems.js";
import { forgetModules, importModule, loaderMessage } from "./ts-loader.js";
import { PROBE_HINT, probeLoad, probeLoadAll } from "./load-probe.js";
import type { TaskFunction, TaskTable } from "./task-table.js";
import { taskRefusal } from "./task-allow.js";
import { clip, CLIP_AT } from "./clip.js";

export const MODULE_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"] as const;

export interface TaskTableOptions {
  /** Evaluate app modules again instead of reusing ones loaded earlier in this process. */
  fresh?: boolean;
  /**
   * Evaluate each module in a probe thread first, with this deadline (load-probe.ts): for
   * commands and start-up, where a module that hangs or exits at import must be reported.
   * Worker children run tasks under hard timeouts instead and skip the probe.
   */
  loadTimeoutMs?: number;
}

/** The files a module path may live in, in the order they are tried. */
export function candidateFiles(appRoot: string, moduleSegments: string[]): string[] {
  const base = join(appRoot, ...moduleSegments);
  return [...MODULE_EXTENSIONS.map((ext) => base + ext), ...MODULE_EXTENSIONS.map((ext) => join(base, "index" + ext))];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

class AppTaskTable implements TaskTable {
  readonly appRoot: string;
  private readonly realRoot: string;
  private readonly fresh: boolean;
  private readonly loadTimeoutMs: number | undefined;
  /** Module file -> what its probe found (undefined: its evaluation finished). */
  private readonly probed = new Map<string, string | undefined>();
  /** Module path (`my_app.tasks`) -> its namespace, loaded once per table. */
  private readonly modules = new Map<string, Promise<Record<string, unknown>>>();
  /** Module path -> the file it was loaded from: a worker resolves per job, without fs calls. */
  private readonly files = new Map<string, string>();
  /** Dotted path -> the function it resolved to (successes only: a fixed file is seen again). */
  private readonly resolved = new Map<string, TaskFunction>();

  constructor(appRoot: string, options: TaskTableOptions) {
    this.appRoot = resolve(appRoot);
    try {
      this.realRoot = realpathSync(this.appRoot);
    } catch {
      throw new TaskResolutionError("APP_ROOT_MISSING", `app root ${this.appRoot} does not exist`, {
        hint: "set hooks `app_root` to the folder holding your app modules (relative to the hooks file)",
      });
    }
    this.fresh = options.fresh ?? false;
    this.loadTimeoutMs = options.loadTimeoutMs;
    if (this.fresh) forgetModules(this.realRoot);
  }

  async resolve(dottedPath: string): Promise<TaskFunction> {
    // A worker resolves once per job: answer from memory after the first success.
    const known = this.resolved.get(dottedPath);
    if (known) return known;
    const fn = await this.resolveAnew(dottedPath);
    this.resolved.set(dottedPath, fn);
    return fn;
  }

  known(dottedPath: string): TaskFunction | undefined {
    return this.resolved.get(dottedPath);
  }

  private async resolveAnew(dottedPath: string): Promise<TaskFunction> {
    const parsed = parseDottedPath(dottedPath);
    if (typeof parsed === "string") {
      throw new TaskResolutionError("TASK_PATH_INVALID", `task path ${parsed}`);
    }
    // Before the module loads: a refused path must not run its module's top-level code.
    const refused = taskRefusal(dottedPath);
    if (refused) throw refused;
    const modulePath = parsed.moduleSegments.join(".");
    const { file, namespace } = await this.loadModule(dottedPath, modulePath, parsed.moduleSegments);
    const value = namespace[parsed.exportName];
    if (value === undefined || !Object.prototype.hasOwnProperty.call(namespace, parsed.exportName)) {
      const exported = Object.keys(namespace).filter((k) => k !== "default" && typeof namespace[k] === "function");
      throw new TaskResolutionError("TASK_NOT_EXPORTED", `task path "${dottedPath}": ${displayPath(file)} does not export "${parsed.exportName}"`, {
        hint: exported.length
          ? `export it (export async function ${parsed.exportName}(kwargs) {...}); exported functions: ${exported.join(", ")}`
          : `export it: export async function ${parsed.exportName}(kwargs) {...}`,
      });
    }
    if (typeof value !== "function") {
      throw new TaskResolutionError("TASK_NOT_FUNCTION", `task path "${dottedPath}": export "${parsed.exportName}" of ${displayPath(file)} is ${value === null ? "null" : typeof value}, not a function`, {
        hint: "point the path at an exported function of one argument (the kwargs)",
      });
    }
    return value as TaskFunction;
  }

  pathOf(fn: Function): string | undefined {
    return processState().taskPaths.get(fn);
  }

  private async loadModule(dottedPath: string, modulePath: string, segments: string[]): Promise<{ file: string; namespace: Record<string, unknown> }> {
    const file = this.files.get(modulePath) ?? this.locate(dottedPath, segments);
    let pending = this.modules.get(modulePath);
    if (!pending) {
      pending = this.probe(file).then(() => importModule(file, { fresh: this.fresh })).then((namespace) => {
        registerExports(namespace, modulePath);
        return namespace;
      });
      this.modules.set(modulePath, pending);
      this.files.set(modulePath, file);
      // A failed load is not cached: the user may fix the file and retry.
      pending.catch(() => {
        this.modules.delete(modulePath);
        this.files.delete(modulePath);
      });
    }
    try {
      return { file, namespace: await pending };
    } catch (err) {
      if (err instanceof ProbeFailure) {
        throw new TaskResolutionError("TASK_LOAD_FAILED", `task path "${dottedPath}": ${err.message}`, {
          hint: PROBE_HINT,
        });
      }
      throw new TaskResolutionError("TASK_LOAD_FAILED", `task path "${dottedPath}": ${displayPath(file)} failed to load: ${loaderMessage(err)}`, {
        hint: "fix the error in that module (or a module it imports)",
        cause: err,
      });
    }
  }

  private async probe(file: string): Promise<void> {
    if (this.loadTimeoutMs === undefined) return;
    const problem = this.probed.has(file) ? this.probed.get(file) : await probeLoad(file, this.loadTimeoutMs, displayPath(file));
    if (problem) throw new ProbeFailure(problem);
  }

  /**
   * Probe the modules of these paths in one thread, ahead of resolving them one by one (the
   * package and shared imports are evaluated once, not per module). Paths that do not locate
   * are left for resolve() to report.
   */
  async probeAll(dottedPaths: readonly string[]): Promise<void> {
    if (this.loadTimeoutMs === undefined) return;
    const files: string[] = [];
    for (const dottedPath of new Set(dottedPaths)) {
      const parsed = parseDottedPath(dottedPath);
      if (typeof parsed === "string") continue;
      const modulePath = parsed.moduleSegments.join(".");
      if (this.modules.has(modulePath)) continue;
      try {
        files.push(this.files.get(modulePath) ?? this.locate(dottedPath, parsed.moduleSegments));
      } catch {
        /* resolve() reports it with the path's key */
      }
    }
    const unprobed = files.filter((f) => !this.probed.has(f));
    if (unprobed.length === 0) return;
    for (const [file, problem] of await probeLoadAll(unprobed, this.loadTimeoutMs, (f) => displayPath(f))) this.probed.set(file, problem);
  }

  /** The module file for a path, checked to be a real file inside the app root. */
  private locate(dottedPath: string, segments: string[]): string {
    const candidates = candidateFiles(this.appRoot, segments);
    const file = candidates.find(isFile);
    if (!file) {
      const base = join(...segments);
      // A long path is named once, clipped: the file names it would add say nothing new.
      if (dottedPath.length > CLIP_AT) {
        throw new TaskResolutionError("TASK_MODULE_NOT_FOUND", `task path "${clip(dottedPath)}" (${dottedPath.length} characters): no such module under ${displayPath(this.appRoot)}`, {
          hint: "fix the path",
        });
      }
      throw new TaskResolutionError("TASK_MODULE_NOT_FOUND", `task path "${dottedPath}": no module ${base}.{ts,mts,js,mjs} or ${base}/index.* under ${displayPath(this.appRoot)}`, {
        hint: `create ${join(displayPath(this.appRoot), base)}.ts exporting the function, or fix the path (app root: ${this.appRoot})`,
      });
    }
    const real = realpathSync(file);
    if (!inside(this.realRoot, real)) {
      throw new TaskResolutionError("TASK_OUTSIDE_ROOT", `task path "${dottedPath}": ${displayPath(file)} resolves to ${real}, outside the app root ${this.realRoot}`, {
        hint: "task modules must live under the app root; copy the module in instead of symlinking it",
      });
    }
    if (relative(this.realRoot, real).split(sep).includes("node_modules")) {
      throw new TaskResolutionError("TASK_IN_NODE_MODULES", `task path "${dottedPath}": ${displayPath(file)} is inside node_modules`, {
        hint: "tasks are app modules; wrap a package's function in a module of your app",
      });
    }
    return real;
  }
}

/** Record every exported function of a module under `<module path>.<export name>`. */
function registerExports(namespace: Record<string, unknown>, modulePath: string): void {
  const paths = processState().taskPaths;
  for (const [name, value] of Object.entries(namespace)) {
    if (name === "default" || typeof value !== "function") continue;
    // First registration wins: a function re-exported elsewhere keeps its home module's path.
    if (!paths.has(value)) paths.set(value, `${modulePath}.${name}`);
  }
}

/** A module's evaluation in the probe thread did not finish (the message says how). */
class ProbeFailure extends Error {}

export function createTaskTable(appRoot: string, options: TaskTableOptions = {}): TaskTable {
  return new AppTaskTable(appRoot, options);
}

/** @deprecated use createTaskTable */
export const createTaskRegistry = createTaskTable;

/** What validateTaskPaths checks: a dotted path and the hooks key that names it. */
export interface NamedTaskPath {
  method: string;
  source: string;
}

/**
 * Resolve every task path of the hooks file; each one that fails is a Problem naming its
 * source key (`scheduler_events.daily[0]`). Used by doctor and at daemon start-up.
 */
export async function validateTaskPaths(table: TaskTable, tasks: readonly NamedTaskPath[], file = ""): Promise<Problem[]> {
  const problems: Problem[] = [];
  if (table instanceof AppTaskTable) await table.probeAll(tasks.map((t) => t.method));
  for (const task of tasks) {
    try {
      await table.resolve(task.method);
    } catch (err) {
      const message = err instanceof TaskResolutionError ? err.toLine() : loaderMessage(err);
      problems.push({ file, key: task.source, message });
    }
  }
  return problems;
}

/** Every dotted path a hooks file names: its scheduled tasks (and their `on_failure`), then `job_failure_handlers`. */
export function allTaskPaths(hooks: {
  file?: string;
  tasks: readonly { method: string; source: string; onFailure?: string }[];
  definition: { job_failure_handlers?: readonly string[] };
}): NamedTaskPath[] {
  const paths: NamedTaskPath[] = hooks.tasks.flatMap((t) => [
    { method: t.method, source: t.source },
    ...(t.onFailure !== undefined ? [{ method: t.onFailure, source: `${t.source}.on_failure` }] : []),
  ]);
  (hooks.definition.job_failure_handlers ?? []).forEach((method, i) => paths.push({ method, source: `job_failure_handlers[${i}]` }));
  return paths;
}
