/**
 * Hooks and task modules whose evaluation never ends or ends the process: `doctor`, `start`,
 * `trigger` and `list` report it in one line within the load timeout (SCHEDULER_LOAD_TIMEOUT)
 * instead of hanging, exiting 0 with no output, or exiting 42 silently.
 */
import { afterAll, describe, expect, it } from "vitest";
import { boundedPool } from "../helpers/pool.js";
import { runCli } from "../helpers/spawn.js";
import { TEST_REDIS_URL, uniquePrefix } from "../helpers/redis.js";
import { cleanupApps, makeApp } from "./app-fixture.js";

afterAll(cleanupApps);

// The bound covers every load of the command, the good hooks file's too, and a first load (the
// TypeScript transform) takes a few seconds on a loaded 2-core machine: only the bodies that must
// run into the bound get a short one, and not so short that a good file's load trips it. Under
// the short bound the only good load is the task-module cases' hooks.mjs (native ESM, no
// transform: ~0.1 s with six busy loops on two cores); in the hooks-file cases the file that
// never finishes is the first load. 2 s: each endless loop holds a core for that long.
const SHORT = "2";
const LONG = "30";
const PREFIX = uniquePrefix("load-hang");
// Every case has its own app folder and fails before it writes to Redis: they run side by side,
// six at a time, of which at most two endless loops: each holds a core for its whole bound, and
// more of them would stretch the good hooks file's load in the other cases past the short bound.
const pooled = boundedPool(6);
const hogs = boundedPool(2);
const GOOD_HOOKS = `export default { scheduler_events: { daily: ["app.tasks.x"] }, timezone: "UTC" };\n`;
const GOOD_TASKS = `export async function x() {}\n`;

const BODIES = {
  "an endless loop": { code: "while (true) {}\n", line: `did not finish in ${SHORT} s`, bound: SHORT, hog: true },
  "a top-level await on a long timer": { code: "await new Promise((r) => setTimeout(r, 600_000));\n", line: `did not finish in ${SHORT} s`, bound: SHORT },
  "a top-level await that never settles": { code: "await new Promise(() => {});\n", line: "never finished: a top-level await waits on a promise that never settles", bound: LONG },
  "process.exit(42)": { code: "process.exit(42);\n", line: "exited with code 42 while loading", bound: LONG },
} as const;

const COMMANDS: Array<[string, string[]]> = [
  ["doctor", ["doctor"]],
  ["start", ["start"]],
  ["trigger", ["trigger", "daily"]],
  ["list", ["list"]],
];

async function run(cwd: string, args: string[], bound: string = LONG, hog = false) {
  // Bounded: the load limit plus node start-up and the probe thread on a busy machine.
  const env = { SCHEDULER_LOAD_TIMEOUT: bound };
  const slot = hog ? <T>(body: () => Promise<T>) => hogs(() => pooled(body)) : pooled;
  return slot(async () => {
    const started = Date.now();
    const result = await runCli([...args, "--redis", TEST_REDIS_URL, "--prefix", PREFIX], { cwd, env, timeoutMs: Number(bound) * 1000 + 25_000 });
    return { ...result, took: Date.now() - started, all: result.stdout + result.stderr };
  });
}

// Commands outer, bodies inner: the pool then starts an endless loop beside bodies that only wait.
describe.concurrent("a hooks file whose evaluation does not finish", () => {
  for (const [name, args] of COMMANDS) {
    for (const [what, body] of Object.entries(BODIES)) {
      it(`${what}: ${name} reports it and exits 1`, async () => {
        const cwd = await makeApp({ "hooks.ts": `${body.code}${GOOD_HOOKS}`, "app/tasks.ts": GOOD_TASKS });
        const r = await run(cwd, args, body.bound, "hog" in body);
        expect(r.signal, `still running after ${r.took} ms`).toBeNull();
        expect(r.code, r.all).toBe(1);
        const expected = body.line.startsWith("exited") ? `hooks.ts ${body.line}` : `loading hooks.ts ${body.line}`;
        expect(r.all).toContain(expected);
      });
    }
  }
});

// The good hooks file here is plain ESM (hooks.mjs, imported natively): as hooks.ts its load is
// the TypeScript loader's first transform, which under a loaded machine alone could outlast the
// short bound meant for the task module. The task module stays TypeScript.
describe.concurrent("a task module whose evaluation does not finish", () => {
  for (const [name, args] of COMMANDS.filter(([command]) => command !== "list")) {
    for (const [what, body] of Object.entries(BODIES)) {
      it(`${what}: ${name} names the task path and the module`, async () => {
        const cwd = await makeApp({ "hooks.mjs": GOOD_HOOKS, "app/tasks.ts": `${body.code}${GOOD_TASKS}` });
        const r = await run(cwd, args, body.bound, "hog" in body);
        expect(r.signal, `still running after ${r.took} ms`).toBeNull();
        expect(r.code, r.all).toBe(1);
        expect(r.all).toContain('task path "app.tasks.x"');
        expect(r.all).toContain(body.line.startsWith("exited") ? `app/tasks.ts ${body.line}` : `loading app/tasks.ts ${body.line}`);
      });
    }
  }

  it("list does not load task modules: it lists the schedule", async () => {
    const cwd = await makeApp({ "hooks.ts": GOOD_HOOKS, "app/tasks.ts": `while (true) {}\n${GOOD_TASKS}` });
    const r = await run(cwd, ["list"]);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toContain("app.tasks.x");
  });
});

describe("SCHEDULER_LOAD_TIMEOUT", () => {
  it("a bad value is one line naming the variable", async () => {
    const cwd = await makeApp({ "hooks.ts": GOOD_HOOKS, "app/tasks.ts": GOOD_TASKS });
    const r = await runCli(["list"], { cwd, env: { SCHEDULER_LOAD_TIMEOUT: "-1" }, timeoutMs: 25_000 });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringContaining('SCHEDULER_LOAD_TIMEOUT: "-1" is not a number of seconds')]);
  });
});
