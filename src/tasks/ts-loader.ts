/**
 * Loads app modules (hooks file, task modules) written in TypeScript or JavaScript, with no
 * build step, through jiti 2.
 *
 * Why jiti: it runs .ts/.mts files that import other .ts files in-process, without installing
 * global loader hooks (so it does not change how the rest of the process loads code), and its
 * transpiled modules live in Node's CommonJS cache, which can be invalidated: `forgetModules`
 * drops an app's entries so a SIGHUP reload sees edited files. Node's own ESM cache cannot be
 * invalidated; see `importModule` for the native-ESM case.
 *
 * `hooks-scheduler` imported by app code is aliased to this package's built entry
 * (dist/index.js). It is native ESM, so jiti imports it natively: the app shares the running
 * copy of the package rather than a second transpiled one (runtime state lives on globalThis in
 * any case, see src/base/process-state.ts).
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Jiti } from "jiti";

/** This package's root: the nearest folder above this file with our package.json. */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "hooks-scheduler") return dir;
      } catch {
        /* not ours; keep looking */
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The built public entry app code gets for `import ... from "hooks-scheduler"`, when built. */
export function packageEntry(): string | undefined {
  const root = packageRoot();
  const entry = root && join(root, "dist", "index.js");
  return entry && existsSync(entry) ? entry : undefined;
}

let shared: Promise<Jiti> | undefined;

/**
 * Made on the first module load (one promise, so loads started together share one loader):
 * importing jiti is a noticeable share of a CLI start-up that loads no module.
 */
function loader(): Promise<Jiti> {
  shared ??= import("jiti").then(({ createJiti }) => {
    const entry = packageEntry();
    return createJiti(import.meta.url, {
      // Keep namespaces as they are: with interop on, jiti merges `default` into the named
      // exports, which would blur the two hooks shapes and the list of exported tasks.
      interopDefault: false,
      moduleCache: true,
      alias: entry ? { "hooks-scheduler": entry } : {},
    });
  });
  return shared;
}

/**
 * True for files Node must load as native ESM (.mjs, or .js under a `"type": "module"`
 * package.json). jiti hands these to Node's import(), whose cache cannot be cleared.
 */
export function isNativeEsm(file: string): boolean {
  const ext = extname(file);
  if (ext === ".mjs") return true;
  if (ext !== ".js") return false;
  let dir = dirname(file);
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, "utf8")) as { type?: string }).type === "module";
      } catch {
        return false;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

let generation = 0;

/**
 * Import one module and return its namespace. With `fresh`, a native-ESM file is imported under
 * a new URL (`?reload=N`) so the edited file is evaluated again; modules it imports in turn
 * stay cached by Node (a restart picks those up). TypeScript and CommonJS modules are made fresh
 * by `forgetModules` before the import.
 */
export async function importModule(file: string, { fresh = false }: { fresh?: boolean } = {}): Promise<Record<string, unknown>> {
  if (fresh && isNativeEsm(file)) {
    generation += 1;
    return (await import(`${pathToFileURL(file).href}?reload=${generation}`)) as Record<string, unknown>;
  }
  return (await (await loader()).import(file)) as Record<string, unknown>;
}

/**
 * Drop every cached module under `root` (outside node_modules), so the next import evaluates
 * the files as they are now. Returns how many were dropped.
 */
export function forgetModules(root: string): number {
  const cache = createRequire(import.meta.url).cache;
  const prefixes = new Set([root, safeRealpath(root)].map((r) => (r.endsWith(sep) ? r : r + sep)));
  let dropped = 0;
  for (const id of Object.keys(cache)) {
    if (id.includes(`${sep}node_modules${sep}`)) continue;
    if ([...prefixes].some((p) => id.startsWith(p))) {
      delete cache[id];
      dropped += 1;
    }
  }
  return dropped;
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * One line from a loader error: jiti and Node put a code frame or a require stack on later lines;
 * keep the message and the file:line:column, drop the rest.
 */
export function loaderMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message || err.name : String(err);
  const lines = raw.split("\n").map((l) => l.trim());
  const stackAt = lines.findIndex((l) => /^Require stack:/.test(l));
  const kept = (stackAt >= 0 ? lines.slice(0, stackAt) : lines).filter((l) => l !== "" && !/^\d+\s*\|/.test(l) && !/^>?\s*\|/.test(l) && !/^>\s*\d+\s*\|/.test(l));
  return kept.join(" ").replace(/\s+/g, " ").trim();
}
