/**
 * Finding and loading the hooks file: cosmiconfig discovery in the working folder (or one
 * explicit `--hooks PATH`), the module loaded through the TS loader, both hooks shapes accepted,
 * then validated and normalized into scheduled tasks.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { cosmiconfig, type Loader } from "cosmiconfig";
import { HooksError } from "../base/errors.js";
import { isPlainObject } from "../base/plain-object.js";
import { normalizeHooks } from "./normalize.js";
import { displayPath, HooksValidationError } from "../base/problems.js";
import { forgetModules, importModule, loaderMessage } from "../tasks/ts-loader.js";
import { loadTimeoutMs, PROBE_HINT, probeLoad } from "../tasks/load-probe.js";
import type { HooksDefinition, LoadedHooks } from "./types.js";
import { TOP_LEVEL_KEYS, validateHooks, type ValidateOptions } from "./validate.js";
import { notAHooksFile, shapeOf } from "./file-kind.js";

/** Looked for in this order in the working folder; the `scheduler` key of package.json last. */
export const SEARCH_PLACES = [
  "hooks.ts",
  "hooks.mts",
  "hooks.js",
  "hooks.mjs",
  "scheduler.config.ts",
  "scheduler.config.mts",
  "scheduler.config.js",
  "scheduler.config.mjs",
  "package.json",
] as const;

export interface LoadHooksOptions {
  /** An explicit hooks file (`--hooks`); relative to `cwd`. Skips discovery. */
  hooksPath?: string;
  /** Where discovery looks; default process.cwd(). */
  cwd?: string;
  /** Evaluate the files again even if loaded before (SIGHUP reload). */
  fresh?: boolean;
  /** How long the hooks module's evaluation may take (default SCHEDULER_LOAD_TIMEOUT, 10 s). */
  loadTimeoutMs?: number;
}

/** What a hooks module gave us, before validation. */
interface RawHooks {
  definition: Record<string, unknown>;
  validate: ValidateOptions;
}

const MARK = Symbol("hooks-scheduler.raw-hooks");

export async function loadHooks(options: LoadHooksOptions = {}): Promise<LoadedHooks> {
  return loadHooksVia(options, []);
}

/**
 * `via` lists the package.json files that pointed here: one that is reached again points in a
 * circle (`"scheduler": "./package.json"`, or two files naming each other), which would
 * otherwise be followed forever.
 */
async function loadHooksVia(options: LoadHooksOptions, via: string[]): Promise<LoadedHooks> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const fresh = options.fresh ?? false;
  const timeoutMs = options.loadTimeoutMs ?? loadTimeoutMs();
  const load = moduleLoader(fresh, timeoutMs);
  const explorer = cosmiconfig("scheduler", {
    searchPlaces: [...SEARCH_PLACES],
    searchStrategy: "none",
    cache: false,
    loaders: { ".ts": load, ".mts": load, ".js": load, ".mjs": load },
  });

  let found: { config: unknown; filepath: string } | null;
  if (options.hooksPath !== undefined) {
    const file = resolve(cwd, options.hooksPath);
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new HooksError("HOOKS_NOT_FOUND", `hooks file ${displayPath(file, cwd)} does not exist`, {
        hint: "check the --hooks path, or leave it out to discover hooks.ts in the current folder",
      });
    }
    const notHooks = notAHooksFile(file);
    if (notHooks) throw new HooksError("HOOKS_NOT_A_MODULE", `${displayPath(file, cwd)}: ${notHooks}`, { hint: "pass --hooks path/to/hooks.ts (or .mts, .js, .mjs, package.json)" });
    found = await guard(file, () => explorer.load(file));
    if (!found || found.config === undefined || found.config === null) {
      const what = file.endsWith("package.json") ? 'has no "scheduler" key' : "is empty";
      throw new HooksError("HOOKS_EMPTY", `${displayPath(file)}: ${what}`, { hint: "export default defineHooks({ scheduler_events: {...} })" });
    }
  } else {
    found = await guard(cwd, () => explorer.search(cwd));
    if (!found) {
      throw new HooksError("HOOKS_NOT_FOUND", `no hooks file in ${cwd}: looked for ${SEARCH_PLACES.slice(0, -1).join(", ")} and a "scheduler" key in package.json`, {
        hint: "create hooks.ts (see hooks.example.ts) or pass --hooks PATH",
      });
    }
  }
  // package.json: `"scheduler": "./path/to/hooks.ts"` points at the file; an object is the definition.
  if (found.filepath.endsWith("package.json") && typeof found.config === "string") {
    const target = resolve(dirname(found.filepath), found.config);
    const chain = [...via, found.filepath];
    if (chain.includes(target)) {
      throw new HooksError("HOOKS_CYCLE", `${displayPath(found.filepath)}: "scheduler" points back to a file already followed (${[...chain, target].map((f) => displayPath(f)).join(" -> ")})`, {
        hint: 'point "scheduler" at the hooks file itself, e.g. "scheduler": "./hooks.ts", or write the settings object there',
      });
    }
    return loadHooksVia({ hooksPath: target, cwd, fresh, loadTimeoutMs: timeoutMs }, chain);
  }
  const raw = asRaw(found.config, found.filepath);
  return finish(raw, found.filepath);
}

function finish(raw: RawHooks, file: string): LoadedHooks {
  const problems = validateHooks(raw.definition, file, raw.validate);
  if (problems.length > 0) throw new HooksValidationError(problems);
  const definition = raw.definition as HooksDefinition;
  return { file, definition, tasks: normalizeHooks(definition) };
}

/**
 * A loader for cosmiconfig that imports the module and tags which shape it used. The module is
 * evaluated in a probe thread first (load-probe.ts): one that loops, waits forever or exits
 * at import is reported instead of hanging or ending this process, and never imported here (a
 * reload onto such a file leaves the running configuration alone).
 */
function moduleLoader(fresh: boolean, timeoutMs: number): Loader {
  return async (filepath: string) => {
    const problem = await probeLoad(filepath, timeoutMs, displayPath(filepath));
    if (problem) {
      throw new HooksError("HOOKS_LOAD_FAILED", problem, {
        hint: PROBE_HINT,
      });
    }
    if (fresh) forgetModules(dirname(filepath));
    let namespace: Record<string, unknown>;
    try {
      namespace = await importModule(filepath, { fresh });
    } catch (err) {
      throw new HooksError("HOOKS_LOAD_FAILED", `${displayPath(filepath)}: failed to load: ${loaderMessage(err)}`, {
        hint: "fix the error in the hooks file (or a module it imports) and try again",
        cause: err,
      });
    }
    return { [MARK]: fromNamespace(namespace, filepath) };
  };
}

/**
 * The two shapes: `export default defineHooks({...})`, or Frappe's named exports
 * (`export const scheduler_events = {...}`, `export const timezone = ...`).
 */
function fromNamespace(namespace: Record<string, unknown>, file: string): RawHooks {
  const def = namespace.default;
  const named = Object.keys(namespace).filter((k) => k !== "default" && k !== "__esModule" && (TOP_LEVEL_KEYS as readonly string[]).includes(k));
  if (def !== undefined) {
    if (!isPlainObject(def)) {
      throw new HooksError("HOOKS_SHAPE", `${displayPath(file)}: the default export is ${shapeOf(def)}, not a hooks object`, {
        hint: "write export default defineHooks({ scheduler_events: {...} })",
      });
    }
    if (named.length > 0) {
      throw new HooksError("HOOKS_SHAPE", `${displayPath(file)}: has both a default export and named ${named.join(", ")}; use one shape`, {
        hint: "move the named settings into defineHooks({...}) or drop the default export",
      });
    }
    return { definition: def, validate: { unknownKeys: "all" } };
  }
  if (named.length === 0) {
    throw new HooksError("HOOKS_SHAPE", `${displayPath(file)}: exports neither a default defineHooks({...}) nor a named scheduler_events`, {
      hint: "write export default defineHooks({ scheduler_events: {...} }), or export const scheduler_events = {...}",
    });
  }
  const definition: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(namespace)) if (k !== "default" && k !== "__esModule") definition[k] = v;
  // Other named exports (helpers, Frappe's app_name...) are allowed; only near-misses are flagged.
  return { definition, validate: { unknownKeys: "typos" } };
}

function asRaw(config: unknown, file: string): RawHooks {
  if (isPlainObject(config) && MARK in config) return (config as Record<symbol, RawHooks>)[MARK]!;
  // package.json `scheduler` object: plain JSON, validated strictly.
  if (!isPlainObject(config)) {
    throw new HooksError("HOOKS_SHAPE", `${displayPath(file)}: "scheduler" must be an object of hooks settings or a path to a hooks file, got ${shapeOf(config)}`);
  }
  return { definition: config, validate: { unknownKeys: "all" } };
}

/** Errors cosmiconfig raises itself (e.g. bad JSON in package.json) become one-line HooksErrors. */
async function guard<T>(where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HooksError) throw err;
    const file = (err as { filepath?: string }).filepath ?? where;
    // A JSON parser's message quotes the file's text: say where it broke, never what is there.
    const why = err instanceof SyntaxError && file.endsWith(".json") ? "is not valid JSON" : loaderMessage(err);
    throw new HooksError("HOOKS_LOAD_FAILED", `${displayPath(file)}: failed to load: ${why}`, { cause: err });
  }
}
