/** Dotted-path resolution against real app folders: layouts, confinement, errors, fn -> path. */
import { execFile } from "node:child_process";
import { mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { TaskResolutionError } from "../../src/base/errors.js";
import { processState } from "../../src/base/process-state.js";
import { allTaskPaths, createTaskTable, validateTaskPaths } from "../../src/tasks/task-loader.js";
import { normalizeHooks } from "../../src/hooks/normalize.js";
import { cleanupApps, makeApp, REPO_ROOT, writeFiles } from "../hooks/app-fixture.js";

afterAll(cleanupApps);

async function resolveError(root: string, path: string): Promise<TaskResolutionError> {
  const err = await createTaskTable(root)
    .resolve(path)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(TaskResolutionError);
  return err as TaskResolutionError;
}

describe("createTaskTable: layouts", () => {
  it("module file, index file, deeper paths and every extension", async () => {
    const root = await makeApp({
      "my_app/tasks.ts": "export const process_queue = (kw: { n: number }) => kw.n * 2;\n",
      "my_app/reports/index.ts": "export async function daily() { return 'daily'; }\n",
      "a/b/c.mts": "export function fn() { return 'mts'; }\n",
      "js_app/jobs.js": "export function run() { return 'js'; }\n",
      "mjs_app/jobs.mjs": "export function run() { return 'mjs'; }\n",
    });
    const registry = createTaskTable(root);
    expect(await (await registry.resolve("my_app.tasks.process_queue"))({ n: 21 })).toBe(42);
    expect(await (await registry.resolve("my_app.reports.daily"))({})).toBe("daily");
    expect(await (await registry.resolve("a.b.c.fn"))({})).toBe("mts");
    expect(await (await registry.resolve("js_app.jobs.run"))({})).toBe("js");
    expect(await (await registry.resolve("mjs_app.jobs.run"))({})).toBe("mjs");
  });

  it("a TS task importing a TS helper module", async () => {
    const root = await makeApp({
      "my_app/tasks.ts": `import { shout } from "./lib/text.ts";\nimport { twice } from "./lib/math";\nexport function greet({ name }: { name: string }) { return shout(name) + twice(2); }\n`,
      "my_app/lib/text.ts": "export const shout = (s: string): string => s.toUpperCase();\n",
      "my_app/lib/math.ts": "export const twice = (n: number): number => n * 2;\n",
    });
    const greet = await createTaskTable(root).resolve("my_app.tasks.greet");
    expect(greet({ name: "ada" })).toBe("ADA4");
  });
});

describe("createTaskTable: refusals", () => {
  it("paths that are not dotted paths: .., empty segments, absolute and file paths", async () => {
    const root = await makeApp({ "my_app/tasks.ts": "export function x() {}\n" });
    for (const [path, pattern] of [
      ["my_app..tasks.x", /has an empty segment/],
      [".my_app.tasks.x", /has an empty segment/],
      ["/etc/passwd", /is a file path/],
      ["../outside.x", /is a file path/],
      ["my_app", /names no module/],
      ["node_modules.pkg.fn", /points into node_modules/],
    ] as const) {
      const err = await resolveError(root, path);
      expect(err.code).toBe("TASK_PATH_INVALID");
      expect(err.message).toMatch(pattern);
      expect(err.message).toContain(path);
    }
  });

  it("a module that does not exist names the files tried and the app root", async () => {
    const root = await makeApp({ "my_app/tasks.ts": "export function x() {}\n" });
    const err = await resolveError(root, "my_app.missing.fn");
    expect(err.code).toBe("TASK_MODULE_NOT_FOUND");
    expect(err.message).toContain('task path "my_app.missing.fn": no module my_app/missing.{ts,mts,js,mjs} or my_app/missing/index.*');
    expect(err.hint).toContain(root);
  });

  it("symlinks whose realpath leaves the app root, and modules inside node_modules", async () => {
    const outside = await mkdtemp(join(tmpdir(), "hs-outside-"));
    await writeFiles(outside, { "evil.ts": "export function steal() { return 'x'; }\n", "dir/tasks.ts": "export function steal() {}\n" });
    const root = await makeApp({
      "my_app/tasks.ts": "export function ok() { return 'ok'; }\n",
      "node_modules/pkg/index.ts": "export function fn() {}\n",
    });
    await symlink(join(outside, "evil.ts"), join(root, "my_app", "evil.ts"));
    await symlink(join(outside, "dir"), join(root, "linked"));
    await symlink(join(root, "my_app", "tasks.ts"), join(root, "my_app", "alias.ts"));
    await symlink(join(root, "node_modules", "pkg", "index.ts"), join(root, "vendor.ts"));

    const e1 = await resolveError(root, "my_app.evil.steal");
    expect(e1.code).toBe("TASK_OUTSIDE_ROOT");
    expect(e1.message).toContain(`resolves to ${join(outside, "evil.ts")}, outside the app root`);
    expect((await resolveError(root, "linked.tasks.steal")).code).toBe("TASK_OUTSIDE_ROOT");
    const e3 = await resolveError(root, "vendor.fn");
    expect(e3.code).toBe("TASK_IN_NODE_MODULES");
    // A symlink that stays inside the root is fine.
    expect(await (await createTaskTable(root).resolve("my_app.alias.ok"))({})).toBe("ok");
  });

  it("names that are not exported, and exports that are not functions", async () => {
    const root = await makeApp({ "my_app/tasks.ts": "export const LIMIT = 5;\nexport function real() {}\nexport default function dflt() {}\n" });
    const e1 = await resolveError(root, "my_app.tasks.missing");
    expect(e1.code).toBe("TASK_NOT_EXPORTED");
    expect(e1.message).toMatch(/task path "my_app\.tasks\.missing": .*my_app\/tasks\.ts does not export "missing"/);
    expect(e1.hint).toContain("exported functions: real");
    const e2 = await resolveError(root, "my_app.tasks.LIMIT");
    expect(e2.code).toBe("TASK_NOT_FUNCTION");
    expect(e2.message).toMatch(/export "LIMIT" of .*my_app\/tasks\.ts is number, not a function/);
  });

  it("a task module with a syntax error is one line naming the file", async () => {
    const root = await makeApp({ "my_app/tasks.ts": "export function broken( {\n" });
    const err = await resolveError(root, "my_app.tasks.broken");
    expect(err.code).toBe("TASK_LOAD_FAILED");
    expect(err.message).toMatch(/task path "my_app\.tasks\.broken": .*my_app\/tasks\.ts failed to load: .*my_app\/tasks\.ts:\d+:\d+$/);
    expect(err.message).not.toContain("\n");
  });

  it("a missing app root is a clear error", () => {
    expect(() => createTaskTable("/nonexistent/app/root")).toThrow(/app root \/nonexistent\/app\/root does not exist/);
  });
});

describe("functions map back to dotted paths", () => {
  it("every exported function of a loaded module, including ones imported elsewhere", async () => {
    const root = await makeApp({
      "my_app/notify.ts": "export async function send_notification({ user }: { user: string }) { return user; }\nexport const NOT_A_FN = 1;\n",
      "my_app/tasks.ts": `import { send_notification } from "./notify.ts";\nexport function chain() { return send_notification; }\nexport function other() {}\n`,
    });
    const registry = createTaskTable(root);
    const chain = await registry.resolve("my_app.tasks.chain");
    const other = await registry.resolve("my_app.tasks.other");
    expect(registry.pathOf(chain)).toBe("my_app.tasks.chain");
    expect(registry.pathOf(other)).toBe("my_app.tasks.other");
    const send = await registry.resolve("my_app.notify.send_notification");
    // The function a task module imported is the very function the registry resolved.
    expect(chain({})).toBe(send);
    expect(registry.pathOf(send)).toBe("my_app.notify.send_notification");
    expect(processState().taskPaths.get(send)).toBe("my_app.notify.send_notification");
    expect(registry.pathOf(() => 1)).toBeUndefined();
  });
});

describe("hooks-scheduler inside app modules", () => {
  it("loads natively (the running package's dist) and shares processState() with every copy", async () => {
    const root = await makeApp({
      "my_app/probe.ts": `import { defineHooks } from "hooks-scheduler";
import { processState as distState } from ${JSON.stringify(join(REPO_ROOT, "dist/base/process-state.js"))};
import { processState as transpiledState } from ${JSON.stringify(join(REPO_ROOT, "src/base/process-state.ts"))};
export function probe() { return { defineHooks, dist: distState(), transpiled: transpiledState() }; }
`,
    });
    const probe = await createTaskTable(root).resolve("my_app.probe.probe");
    const got = probe({}) as { defineHooks: unknown; dist: unknown; transpiled: unknown };
    // Node's own loader (require of ESM shares Node's ESM cache), not vitest's import(), which
    // would evaluate a copy of its own.
    const nativeIndex = createRequire(import.meta.url)(join(REPO_ROOT, "dist/index.js")) as { defineHooks: unknown };
    // Same function object as a native import of dist/index.js: no second transpiled copy.
    expect(got.defineHooks).toBe(nativeIndex.defineHooks);
    expect(got.dist).toBe(processState());
    expect(got.transpiled).toBe(processState());
  });

  it("inside this repository, hooks-scheduler resolves by package self-reference", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", 'const m = await import("hooks-scheduler"); console.log(typeof m.defineHooks)'], {
      cwd: REPO_ROOT,
    });
    expect(stdout.trim()).toBe("function");
  });
});

describe("reload and start-up validation", () => {
  it("a fresh registry sees an edited task module; a cached one does not", async () => {
    const root = await makeApp({ "my_app/tasks.ts": `import { V } from "./value.ts";\nexport function v() { return V; }\n`, "my_app/value.ts": "export const V = 1;\n" });
    expect((await createTaskTable(root).resolve("my_app.tasks.v"))({})).toBe(1);
    await writeFile(join(root, "my_app/value.ts"), "export const V = 2;\n");
    expect((await createTaskTable(root).resolve("my_app.tasks.v"))({})).toBe(1);
    expect((await createTaskTable(root, { fresh: true }).resolve("my_app.tasks.v"))({})).toBe(2);
  });

  it("validateTaskPaths reports each bad path with its source key", async () => {
    const root = await makeApp({ "my_app/tasks.ts": "export function good() {}\nexport const bad = 1;\n" });
    const definition = {
      scheduler_events: { daily: ["my_app.tasks.good", "my_app.tasks.bad"], cron: { "0 9 * * *": ["my_app.nope.fn"] } },
      job_failure_handlers: ["my_app.tasks.absent"],
    };
    const hooks = { file: join(root, "hooks.ts"), definition, tasks: normalizeHooks(definition) };
    const problems = await validateTaskPaths(createTaskTable(root), allTaskPaths(hooks), hooks.file);
    expect(problems.map((p) => p.key)).toEqual(["scheduler_events.daily[1]", 'scheduler_events.cron["0 9 * * *"][0]', "job_failure_handlers[0]"]);
    expect(problems[0]!.message).toMatch(/export "bad" of .* is number, not a function/);
    expect(problems[1]!.message).toMatch(/no module my_app\/nope/);
    expect(problems[2]!.message).toMatch(/does not export "absent"/);
    expect(problems.every((p) => p.file === hooks.file)).toBe(true);
  });
});
