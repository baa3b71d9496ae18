/**
 * `scheduler reload` onto a hooks file whose evaluation never ends, or ends the process: the
 * running daemon keeps its old configuration and says why, its scheduled task keeps firing,
 * and a later good reload still works (the daemon is not wedged). Tasks log runs to a file.
 */
import type { ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { killUnlessExited, runCli, spawnCli } from "../helpers/spawn.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";

const TASKS = `import { appendFileSync } from "node:fs";
import { join } from "node:path";
export function tick() { appendFileSync(join(process.env.RUNS_DIR!, "tick.log"), "run\\n"); }
export function added() { appendFileSync(join(process.env.RUNS_DIR!, "added.log"), "run\\n"); }
`;

const hooksWith = (tasks: string[], top = "") =>
  `${top}export default { scheduler_events: { cron: { "* * * * * *": ${JSON.stringify(tasks)} } }, timezone: "UTC" };\n`;

// The three cases run side by side: each has its own folder, key prefix and daemon (a reload
// reaches every daemon of its prefix), cleaned up when that case ends.
describe.concurrent("scheduler reload onto a hooks file that does not finish loading", () => {
  // The load bound also applies to the daemon's first load and to the good reload, which take a
  // few seconds on a loaded 2-core machine: only the endless loop needs it short, and even there
  // not so short that the first load of a good file trips it.
  it.for([
    ["an endless loop", "while (true) {}\n", "loading hooks.ts did not finish in 5 s", "5"],
    ["process.exit(42)", "process.exit(42);\n", "hooks.ts exited with code 42 while loading", "30"],
    ["a top-level await that never settles", "await new Promise(() => {});\n", "loading hooks.ts never finished", "30"],
  ] as const)("%s: the old configuration keeps running, and a good reload still works", async ([, top, line, loadTimeout], { onTestFinished }) => {
    const t: TestRedis = await testRedis("reload-hang");
    const dir = await mkdtemp(join(tmpdir(), "hs-reload-hang-"));
    let daemon: ChildProcess | undefined;
    onTestFinished(async () => {
      await killUnlessExited(daemon);
      await rm(dir, { recursive: true, force: true });
      await t.cleanup();
    });
    const runs = async (name: string) => (await readFile(join(dir, `${name}.log`), "utf8").catch(() => "")).split("\n").filter(Boolean).length;
    const reload = () => runCli(["reload", "--redis", t.url, "--prefix", t.prefix], { cwd: dir });

    await mkdir(join(dir, "app"));
    await writeFile(join(dir, "app", "tasks.ts"), TASKS);
    await writeFile(join(dir, "hooks.ts"), hooksWith(["app.tasks.tick"]));
    let output = "";
    daemon = spawnCli(["start", "--redis", t.url, "--prefix", t.prefix, "--json"], { cwd: dir, env: { RUNS_DIR: dir, SCHEDULER_LOAD_TIMEOUT: loadTimeout } });
    daemon.stdout!.on("data", (d) => (output += d));
    daemon.stderr!.on("data", (d) => (output += d));
    await waitFor(async () => (await runs("tick")) >= 1, 30_000);

    await writeFile(join(dir, "hooks.ts"), hooksWith(["app.tasks.tick", "app.tasks.added"], top));
    // `reload` waits for the daemon's answer: a failed reload is exit 1, with the daemon's reason.
    const failed = await reload();
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stdout + failed.stderr).toContain(line);
    await waitFor(() => output.includes("failed, the previous hooks keep running"), 20_000);
    expect(output).toContain(line);
    expect(daemon.exitCode).toBeNull();
    // The old schedule still fires: the daemon's loop is free.
    const before = await runs("tick");
    await waitFor(async () => (await runs("tick")) > before, 15_000);
    expect(await runs("added")).toBe(0);

    await writeFile(join(dir, "hooks.ts"), hooksWith(["app.tasks.tick", "app.tasks.added"]));
    expect((await reload()).code).toBe(0);
    await waitFor(async () => (await runs("added")) >= 1, 20_000);
    expect(output).toMatch(/reload \(scheduler reload\): 2 tasks; 1 added/);
    const exited = new Promise((resolve) => daemon!.once("exit", resolve));
    daemon.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
