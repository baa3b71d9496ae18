/** Doctor checks of the app side: the hooks file, every task path in it, the resolved config. */
import { resolve } from "node:path";
import { resolveConfig } from "../../settings/resolve.js";
import { cronDialectWarnings } from "../../hooks/cron-dialect-warnings.js";
import { loadHooks } from "../../hooks/load.js";
import { displayPath, HooksValidationError, problemLine } from "../../base/problems.js";
import { allTaskPaths, createTaskTable, validateTaskPaths } from "../../tasks/task-loader.js";
import { loadTimeoutMs } from "../../tasks/load-probe.js";
import type { LoadedHooks } from "../../hooks/types.js";
import { errorFinding, finding, type Check, type Finding } from "./types.js";

export const hooksCheck: Check = {
  name: "hooks",
  async run(ctx) {
    try {
      ctx.hooks = await loadHooks({ hooksPath: ctx.options.hooks, cwd: ctx.options.cwd });
    } catch (err) {
      if (err instanceof HooksValidationError) {
        return err.problems.map((p) => finding("hooks", "error", problemLine(p), "fix this key in the hooks file"));
      }
      return [errorFinding("hooks", err, "fix the hooks file")];
    }
    const n = ctx.hooks.tasks.length;
    const dialect = cronDialectWarnings(ctx.hooks.definition).map((w) => finding("hooks", "warn", w.message, w.fix));
    return [finding("hooks", "ok", `${displayPath(ctx.hooks.file, ctx.options.cwd)}: ${n} scheduled task${n === 1 ? "" : "s"}`), ...dialect];
  },
};

export const taskPathsCheck: Check = {
  name: "tasks",
  async run(ctx) {
    if (!ctx.hooks) return [finding("tasks", "warn", "skipped: the hooks file did not load", "fix the hooks errors above")];
    let table;
    try {
      table = ctx.taskTable = createTaskTable(appRootOf(ctx.hooks), { loadTimeoutMs: loadTimeoutMs() });
    } catch (err) {
      return [errorFinding("tasks", err, "set app_root to an existing folder")];
    }
    const paths = allTaskPaths(ctx.hooks);
    const problems = await validateTaskPaths(table, paths, ctx.hooks.file);
    if (problems.length === 0) {
      const unique = new Set(paths.map((p) => p.method)).size;
      return [finding("tasks", "ok", `${unique} task path${unique === 1 ? "" : "s"} resolve under ${table.appRoot === ctx.options.cwd ? "." : displayPath(table.appRoot, ctx.options.cwd)}`)];
    }
    return problems.map((p) => finding("tasks", "error", problemLine(p), "fix the dotted path or export the function"));
  },
};

/** The app root even when other settings are broken (the config check reports those). */
function appRootOf(hooks: LoadedHooks): string {
  const root = hooks.definition.app_root;
  const folder = resolve(hooks.file, "..");
  return typeof root === "string" && root.trim() !== "" ? resolve(folder, root) : folder;
}

export const configCheck: Check = {
  name: "config",
  async run(ctx) {
    // Without a hooks file, flags and environment still decide where Redis is: check those.
    const hooks: LoadedHooks = ctx.hooks ?? { file: resolve(ctx.options.cwd, "hooks.ts"), definition: {}, tasks: [] };
    try {
      ctx.config = resolveConfig({ flags: { redis: ctx.options.redis, prefix: ctx.options.prefix }, env: ctx.options.env, hooks });
    } catch (err) {
      return [errorFinding("config", err, "fix that setting")];
    }
    const c = ctx.config;
    const out: Finding[] = [
      finding("config", "ok", `timezone ${c.timezone} (${c.sources.timezone}), prefix "${c.prefix}" (${c.sources.prefix}), interval ${c.schedulerInterval}s, queues ${Object.keys(c.queues).join(", ")}`),
    ];
    return out;
  },
};
