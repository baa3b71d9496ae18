/** Hooks discovery and loading from real files in temp folders, through the real TS loader. */
import { realpathSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HooksError } from "../../src/base/errors.js";
import { loadHooks, SEARCH_PLACES } from "../../src/hooks/load.js";
import { HooksValidationError } from "../../src/base/problems.js";
import { cleanupApps, makeApp, REPO_ROOT } from "./app-fixture.js";

afterAll(cleanupApps);

const DEFAULT_SHAPE = `import { defineHooks } from "hooks-scheduler";
export default defineHooks({ scheduler_events: { daily: ["my_app.tasks.daily_report"] }, timezone: "UTC" });
`;

async function loadError(options: Parameters<typeof loadHooks>[0]): Promise<HooksError> {
  const err = await loadHooks(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HooksError);
  return err as HooksError;
}

describe("loadHooks: shapes", () => {
  it("export default defineHooks({...}) importing from hooks-scheduler", async () => {
    const cwd = await makeApp({ "hooks.ts": DEFAULT_SHAPE });
    const hooks = await loadHooks({ cwd });
    expect(realpathSync(hooks.file)).toBe(realpathSync(join(cwd, "hooks.ts")));
    expect(hooks.definition.timezone).toBe("UTC");
    expect(hooks.tasks.map((t) => t.id)).toEqual(["daily|my_app.tasks.daily_report"]);
  });

  it("Frappe's named exports, other exports ignored", async () => {
    const cwd = await makeApp({
      "hooks.ts": `export const app_name = "my_app";
export const timezone = "Europe/Berlin";
export const scheduler_events = { hourly: ["my_app.tasks.hourly_cleanup"], cron: { "*/15 * * * *": ["my_app.tasks.frequent_check"] } };
export function helper() { return 1; }
`,
    });
    const hooks = await loadHooks({ cwd });
    expect(hooks.definition.timezone).toBe("Europe/Berlin");
    expect(hooks.tasks.map((t) => t.id)).toEqual(["hourly|my_app.tasks.hourly_cleanup", "cron:*/15 * * * *|my_app.tasks.frequent_check"]);
  });

  it("refuses a module with neither shape, or with both", async () => {
    const none = await makeApp({ "hooks.ts": "export const unrelated = 1;\n" });
    expect((await loadError({ cwd: none })).message).toMatch(/hooks\.ts: exports neither a default defineHooks\(\{\.\.\.\}\) nor a named scheduler_events/);
    const both = await makeApp({ "hooks.ts": "export const timezone = 'UTC';\nexport default { scheduler_events: {} };\n" });
    expect((await loadError({ cwd: both })).message).toMatch(/hooks\.ts: has both a default export and named timezone/);
    const fn = await makeApp({ "hooks.ts": "export default function () {}\n" });
    expect((await loadError({ cwd: fn })).message).toMatch(/the default export is a function, not a hooks object/);
  });

  it("a TS hooks file importing another TS module (no build step)", async () => {
    const cwd = await makeApp({
      "hooks.ts": `import { defineHooks } from "hooks-scheduler";
import { every } from "./config/paths.ts";
import { QUEUE } from "./config/queue";
export default defineHooks({ scheduler_events: { cron: { "0 9 * * *": every(["a", "b"]) } }, queues: { [QUEUE]: { timeout: 5 } } });
`,
      "config/paths.ts": `export const every = (names: string[]): string[] => names.map((n) => \`my_app.tasks.\${n}\`);\n`,
      "config/queue.ts": `export const QUEUE: string = "reports";\n`,
    });
    const hooks = await loadHooks({ cwd });
    expect(hooks.tasks.map((t) => t.method)).toEqual(["my_app.tasks.a", "my_app.tasks.b"]);
    expect(hooks.definition.queues).toEqual({ reports: { timeout: 5 } });
  });
});

describe("loadHooks: discovery", () => {
  const body = (marker: string, esm = true) =>
    esm ? `export default { timezone: "UTC", scheduler_events: { daily: ["m.${marker}"] } };\n` : `module.exports = { scheduler_events: { daily: ["m.${marker}"] } };\n`;

  it.each(SEARCH_PLACES.filter((p) => p !== "package.json"))("finds %s", async (name) => {
    const cwd = await makeApp({ [name]: body("found"), "unrelated.ts": "throw new Error('never loaded')" });
    const hooks = await loadHooks({ cwd });
    expect(hooks.file.endsWith(name)).toBe(true);
    expect(hooks.tasks[0]!.method).toBe("m.found");
  });

  it("prefers hooks.ts over later search places", async () => {
    const cwd = await makeApp({ "hooks.ts": body("ts"), "hooks.mjs": body("mjs"), "scheduler.config.ts": body("config") });
    expect((await loadHooks({ cwd })).tasks[0]!.method).toBe("m.ts");
  });

  it("a `scheduler` key in package.json: an inline definition, or a path to a hooks file", async () => {
    const inline = await makeApp({ "package.json": JSON.stringify({ name: "x", scheduler: { scheduler_events: { daily: ["m.inline"] } } }) });
    const a = await loadHooks({ cwd: inline });
    expect(a.file.endsWith("package.json")).toBe(true);
    expect(a.tasks[0]!.method).toBe("m.inline");

    const pointer = await makeApp({ "package.json": JSON.stringify({ name: "x", scheduler: "./ops/jobs.ts" }), "ops/jobs.ts": body("pointed") });
    const b = await loadHooks({ cwd: pointer });
    expect(b.file.endsWith(join("ops", "jobs.ts"))).toBe(true);
    expect(b.tasks[0]!.method).toBe("m.pointed");

    const bad = await makeApp({ "package.json": JSON.stringify({ name: "x", scheduler: { schedule_events: {} } }) });
    expect((await loadError({ cwd: bad })).message).toMatch(/package\.json: schedule_events: unknown key "schedule_events" \(did you mean "scheduler_events"\?\)/);
  });

  it("--hooks loads exactly that file, relative to cwd; a missing one is a clear error", async () => {
    const cwd = await makeApp({ "hooks.ts": body("discovered"), "deploy/prod-hooks.ts": body("explicit") });
    expect((await loadHooks({ cwd, hooksPath: "deploy/prod-hooks.ts" })).tasks[0]!.method).toBe("m.explicit");
    const err = await loadError({ cwd, hooksPath: "deploy/nope.ts" });
    expect(err.code).toBe("HOOKS_NOT_FOUND");
    expect(err.toLine()).toBe("hooks file deploy/nope.ts does not exist (check the --hooks path, or leave it out to discover hooks.ts in the current folder)");
  });

  it("no hooks file at all names the folder and what was looked for", async () => {
    const cwd = await makeApp({ "package.json": JSON.stringify({ name: "x" }) });
    const err = await loadError({ cwd });
    expect(err.code).toBe("HOOKS_NOT_FOUND");
    expect(err.message).toContain(`no hooks file in ${cwd}: looked for hooks.ts, hooks.mts`);
    expect(err.hint).toMatch(/pass --hooks PATH/);
  });
});

describe("loadHooks: errors are one line naming the file", () => {
  it("a syntax error", async () => {
    const cwd = await makeApp({ "hooks.ts": "export default {\n  scheduler_events: {,\n};\n" });
    const err = await loadError({ cwd });
    expect(err.code).toBe("HOOKS_LOAD_FAILED");
    // Outside the working folder the file is named by its absolute path.
    expect(err.message).toMatch(/^\/.*\/hooks\.ts: failed to load: .*Unexpected token/);
    expect(err.message.startsWith(`${join(cwd, "hooks.ts")}: failed to load: `)).toBe(true);
    expect(err.message).toContain("hooks.ts:2:");
    expect(err.message).not.toContain("\n");
  });

  it("a file that throws while loading, and one importing a missing module", async () => {
    const throws = await makeApp({ "hooks.ts": 'throw new Error("database not configured");\n' });
    const e1 = await loadError({ cwd: throws });
    expect(e1.message).toBe(`${join(throws, "hooks.ts")}: failed to load: database not configured`);
    const missing = await makeApp({ "hooks.ts": 'import { x } from "./nowhere";\nexport default { scheduler_events: { daily: [x] } };\n' });
    const e2 = await loadError({ cwd: missing });
    expect(e2.message).toMatch(/\/hooks\.ts: failed to load: Cannot find module '\.\/nowhere'/);
    expect(e2.message).not.toContain("\n");
    expect(e2.message).not.toContain("Require stack");
  });

  it("validation problems are all reported together, one line each, naming the file and key", async () => {
    const cwd = await makeApp({
      "hooks.ts": `export default { scheduler_events: { dayly: ["a.b"], cron: { "99 * * * *": ["a.b"] }, daily: ["x"] }, timezone: "Mars/Olympus" };\n`,
    });
    const err = (await loadError({ cwd })) as HooksValidationError;
    expect(err).toBeInstanceOf(HooksValidationError);
    expect(err.problems).toHaveLength(4);
    const lines = err.message.split("\n").map((l) => l.replace(`${cwd}/`, ""));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^hooks\.ts: scheduler_events\.dayly: unknown event "dayly" \(did you mean "daily"\?\)/);
    expect(lines[1]).toMatch(/^hooks\.ts: scheduler_events\.cron\["99 \* \* \* \*"\]: bad cron expression/);
    expect(lines[2]).toMatch(/^hooks\.ts: scheduler_events\.daily\[0\]: "x" names no module/);
    expect(lines[3]).toMatch(/^hooks\.ts: timezone: "Mars\/Olympus" is not an IANA time zone/);
    expect(err.hint).toBe("4 problems; fix each line above");
  });
});

describe("loadHooks: reload", () => {
  it("fresh: true sees an edited hooks file and an edited module it imports", async () => {
    const cwd = await makeApp({
      "hooks.ts": `import { NAME } from "./name";\nexport default { scheduler_events: { daily: [NAME] } };\n`,
      "name.ts": `export const NAME = "m.first";\n`,
    });
    expect((await loadHooks({ cwd })).tasks[0]!.method).toBe("m.first");
    await writeFile(join(cwd, "name.ts"), `export const NAME = "m.second";\n`);
    // Without fresh, the module cache answers (what a running daemon has until it reloads).
    expect((await loadHooks({ cwd })).tasks[0]!.method).toBe("m.first");
    expect((await loadHooks({ cwd, fresh: true })).tasks[0]!.method).toBe("m.second");
    await writeFile(join(cwd, "hooks.ts"), `export default { scheduler_events: { hourly: ["m.third"] } };\n`);
    expect((await loadHooks({ cwd, fresh: true })).tasks[0]!.id).toBe("hourly|m.third");
  });

  it("fresh: true re-evaluates a native ESM (.mjs) hooks file", async () => {
    const cwd = await makeApp({ "hooks.mjs": `export default { scheduler_events: { daily: ["m.one"] } };\n` });
    expect((await loadHooks({ cwd })).tasks[0]!.method).toBe("m.one");
    await writeFile(join(cwd, "hooks.mjs"), `export default { scheduler_events: { daily: ["m.two"] } };\n`);
    expect((await loadHooks({ cwd, fresh: true })).tasks[0]!.method).toBe("m.two");
  });
});

describe("the repository's own example", () => {
  it("hooks.example.ts loads (self-reference to hooks-scheduler) and validates", async () => {
    const hooks = await loadHooks({ cwd: REPO_ROOT, hooksPath: "hooks.example.ts" });
    const events = new Set(hooks.tasks.map((t) => t.event));
    for (const e of ["all", "hourly", "daily", "weekly", "monthly", "daily_long", "cron"]) expect(events.has(e)).toBe(true);
    expect(hooks.tasks.some((t) => t.expression.split(" ").length === 6)).toBe(true);
  });
});
