/**
 * Hooks reload (SIGHUP or `scheduler reload`): load the file fresh, validate it and every task
 * path, and only then swap the schedule. A broken edit keeps the old hooks running.
 */
import { resolveConfig } from "../settings/resolve.js";
import type { ResolvedConfig } from "../config/types.js";
import { loadHooks } from "../hooks/load.js";
import { loadTimeoutMs } from "../tasks/load-probe.js";
import { createTaskTable, validateTaskPaths, allTaskPaths } from "../tasks/task-loader.js";
import { HooksValidationError } from "../base/problems.js";
import type { LoadedHooks, ScheduledTask } from "../hooks/types.js";
import type { TaskTable } from "../tasks/task-table.js";

export interface TaskDiff {
  added: ScheduledTask[];
  removed: ScheduledTask[];
  changed: ScheduledTask[];
}

/** What changed between two schedules, by task id (event/expression + method). */
export function diffTasks(before: ScheduledTask[], after: ScheduledTask[]): TaskDiff {
  const old = new Map(before.map((t) => [t.id, t]));
  const next = new Map(after.map((t) => [t.id, t]));
  const comparable = (t: ScheduledTask) => JSON.stringify({ ...t, source: undefined });
  return {
    added: after.filter((t) => !old.has(t.id)),
    removed: before.filter((t) => !next.has(t.id)),
    changed: after.filter((t) => old.has(t.id) && comparable(old.get(t.id)!) !== comparable(t)),
  };
}

export interface LoadedApp {
  hooks: LoadedHooks;
  config: ResolvedConfig;
  tasks: TaskTable;
}

/**
 * Load hooks + config and resolve every task path. Throws one HooksValidationError listing every bad
 * path, so start-up and reload refuse a file whose tasks would fail at their first fire.
 */
export async function loadApp(input: { hooksPath?: string; cwd?: string; fresh?: boolean; flags: { redis?: string; prefix?: string } }): Promise<LoadedApp> {
  const hooks = await loadHooks({ hooksPath: input.hooksPath, cwd: input.cwd, fresh: input.fresh });
  const config = resolveConfig({ flags: input.flags, hooks });
  const tasks = createTaskTable(config.appRoot, { fresh: input.fresh, loadTimeoutMs: loadTimeoutMs() });
  const problems = await validateTaskPaths(tasks, allTaskPaths(hooks), hooks.file);
  if (problems.length) throw new HooksValidationError(problems);
  return { hooks, config, tasks };
}
