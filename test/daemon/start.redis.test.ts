/**
 * `scheduler start` as users run it: a real daemon process on a hooks app in a temp folder.
 * Tasks append a line per run to a file in that folder, so the test counts real executions.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { describe, expect, it } from "vitest";
import { killUnlessExited, spawnCli, runCli } from "../helpers/spawn.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { allEvents } from "../helpers/job-reads.js";
import { boundedPool } from "../helpers/pool.js";

const TASKS = `
import { appendFileSync } from "node:fs";
import { currentJob } from "hooks-scheduler";
import { join } from "node:path";
const record = (name: string, kwargs: Record<string, unknown>) =>
  appendFileSync(join(process.env.RUNS_DIR!, name + ".log"), JSON.stringify(kwargs) + "\\n");
export function tick(kwargs: Record<string, unknown>) { record("tick", kwargs); }
export function added(kwargs: Record<string, unknown>) { record("added", kwargs); }
export function chatty() {
  currentJob()!.log.info({ rows: 3 }, "imported rows");
  console.log("a plain console line");
  record("chatty", {});
}
`;

function hooksWith(tasks: string[]): string {
  return `export default {
  scheduler_events: { cron: { "* * * * * *": ${JSON.stringify(tasks)} } },
  timezone: "UTC",
  queues: { default: { timeout: 30 } },
};\n`;
}

type OnTestFinished = (fn: () => Promise<void>) => void;

/**
 * One test's daemon, app folder and key prefix. The tests run side by side (most of their time
 * is a daemon's start-up and its every-second slots), so each has its own prefix (a `scheduler
 * reload` reaches every daemon of its prefix) and folder; its daemon is killed and the folder
 * and keys removed when that test ends.
 */
async function scenario(onTestFinished: OnTestFinished) {
  const t: TestRedis = await testRedis("daemon-start");
  const dir = await mkdtemp(join(tmpdir(), "hs-start-"));
  let daemon: ChildProcess | undefined;
  let output = "";
  onTestFinished(async () => {
    await killUnlessExited(daemon);
    await rm(dir, { recursive: true, force: true });
    await t.cleanup();
  });

  async function app(tasks: string[]): Promise<void> {
    await mkdir(join(dir, "app"));
    await writeFile(join(dir, "app", "tasks.ts"), TASKS);
    await writeFile(join(dir, "hooks.ts"), hooksWith(tasks));
  }

  /** `scheduler start --json` in the app folder (on `redis`, default the test's own). */
  function start(redis: string = t.url): ChildProcess {
    output = "";
    daemon = spawnCli(["start", "--json", "--redis", redis, "--prefix", t.prefix], { cwd: dir, env: { RUNS_DIR: dir } });
    daemon.stdout!.on("data", (d) => (output += d));
    daemon.stderr!.on("data", (d) => (output += d));
    return daemon;
  }

  const runs = async (name: string): Promise<Array<Record<string, unknown>>> => {
    const text = await readFile(join(dir, `${name}.log`), "utf8").catch(() => "");
    return text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  };

  const exitOf = (child: ChildProcess, timeoutMs = 15_000) =>
    new Promise<number | null>((resolve, reject) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      const timer = setTimeout(() => reject(new Error(`daemon did not exit within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      child.on("exit", (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });

  return { t, dir, app, start, runs, exitOf, output: () => output };
}

// Two at a time: each daemon's start-up (node, its workers, the TypeScript loader on a fresh app)
// is most of a core for a second or two; more side by side would stretch the bounds below.
const twoAtATime = boundedPool(2);

describe.concurrent("scheduler start", () => {
  it("fires an every-second task through its workers, once per slot, and exits 0 on SIGTERM", ({ onTestFinished }) =>
    twoAtATime(async () => {
      const { t, app, start, runs, exitOf, output } = await scenario(onTestFinished);
      await app(["app.tasks.tick"]);
      const daemon = start();
      await waitFor(async () => (await runs("tick")).length >= 3, 20_000);
      daemon.kill("SIGTERM");
      expect(await exitOf(daemon)).toBe(0);
      expect(output()).toContain("next fires");
      expect(output()).toContain("stopped (exit 0)");
      // Each slot became exactly one job: job ids are unique and so are the slots they ran for.
      const jobs = await t.redis.zrange(t.keys.finished("default"), 0, -1);
      const slots = await Promise.all(jobs.map((id) => t.redis.hget(t.keys.job(id, t.keys.jobTag("default")), "scheduledFor")));
      expect(new Set(slots).size).toBe(slots.length);
      expect(jobs.length).toBeGreaterThanOrEqual(3);
    }));

  it("reloads hooks on SIGHUP: an added task fires without a restart, a broken edit keeps the old schedule", ({ onTestFinished }) =>
    twoAtATime(async () => {
      const { dir, app, start, runs, exitOf, output } = await scenario(onTestFinished);
      await app(["app.tasks.tick"]);
      const daemon = start();
      await waitFor(async () => (await runs("tick")).length >= 1, 20_000);

      await writeFile(join(dir, "hooks.ts"), hooksWith(["app.tasks.tick", "app.tasks.added"]));
      daemon.kill("SIGHUP");
      await waitFor(async () => (await runs("added")).length >= 1, 15_000);
      expect(output()).toMatch(/reload \(SIGHUP\): 2 tasks; 1 added, 0 removed, 0 changed/);

      await writeFile(join(dir, "hooks.ts"), "export default { scheduler_events: { dayly: [] } };\n");
      daemon.kill("SIGHUP");
      await waitFor(() => output().includes("failed, the previous hooks keep running"), 10_000);
      expect(output()).toContain('did you mean \\"daily\\"');
      const before = (await runs("added")).length;
      await waitFor(async () => (await runs("added")).length > before, 10_000);

      daemon.kill("SIGTERM");
      expect(await exitOf(daemon)).toBe(0);
    }));

  it("reloads when `scheduler reload` is sent from another process", ({ onTestFinished }) =>
    twoAtATime(async () => {
      const { t, dir, app, start, runs, exitOf, output } = await scenario(onTestFinished);
      await app(["app.tasks.tick"]);
      const daemon = start();
      await waitFor(() => output().includes("worker up"), 20_000);
      await writeFile(join(dir, "hooks.ts"), hooksWith(["app.tasks.tick", "app.tasks.added"]));
      const r = await runCli(["reload", "--redis", t.url, "--prefix", t.prefix], { cwd: dir });
      expect(r.code).toBe(0);
      // The daemon's own answer: what changed (test/cli/daemon-reload.redis.test.ts covers the rest).
      expect(r.stdout).toMatch(/: 2 tasks; 1 added, 0 removed, 0 changed/);
      await waitFor(async () => (await runs("added")).length >= 1, 15_000);
      daemon.kill("SIGTERM");
      expect(await exitOf(daemon)).toBe(0);
    }));

  it("task logs carry the job id into the events stream and logs/worker.log; console output is kept too", ({ onTestFinished }) =>
    twoAtATime(async () => {
      const { t, dir, app, start, runs, exitOf } = await scenario(onTestFinished);
      await app(["app.tasks.chatty"]);
      const daemon = start();
      await waitFor(async () => (await runs("chatty")).length >= 1, 20_000);
      // The task writes its line before its worker records the completion: wait for that too.
      const [jobId] = (await waitFor(async () => {
        const finished = await t.redis.zrange(t.keys.finished("default"), 0, 0);
        return finished.length > 0 ? finished : undefined;
      }, 10_000))!;
      const logged = await waitFor(async () => {
        const logs = await allEvents<{ type: string; jobId?: string; msg: string; data?: { rows?: number } }>(t);
        return logs.find((e) => e.type === "log" && e.msg === "imported rows");
      }, 10_000);
      expect(logged!.data?.rows).toBe(3);
      expect(logged!.jobId).toBeTruthy();
      daemon.kill("SIGTERM");
      expect(await exitOf(daemon)).toBe(0);
      const file = await readFile(join(dir, "logs", "worker.log"), "utf8");
      const lines = file.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.find((l) => l.msg === "imported rows")).toMatchObject({ rows: 3, task: "app.tasks.chatty" });
      expect(lines.find((l) => l.msg === "a plain console line")).toMatchObject({ stream: "stdout" });
      expect(jobId).toBeTruthy();
    }));

  it("waits for an unreachable Redis with a clear message instead of crashing, and stops on SIGINT", ({ onTestFinished }) =>
    twoAtATime(async () => {
      const { app, start, exitOf, output } = await scenario(onTestFinished);
      await app(["app.tasks.tick"]);
      const daemon = start("redis://127.0.0.1:1");
      await waitFor(() => output().includes("cannot reach Redis at redis://127.0.0.1:1"), 15_000);
      expect(output()).toContain("retrying");
      expect(daemon.exitCode).toBeNull();
      daemon.kill("SIGINT");
      expect(await exitOf(daemon)).toBe(0);
    }));

  it("refuses a hooks file with an unknown task path, naming the file and key, exit 1", ({ onTestFinished }) =>
    twoAtATime(async () => {
      const { t, dir, app } = await scenario(onTestFinished);
      await app(["app.tasks.nope"]);
      const r = await runCli(["start", "--redis", t.url, "--prefix", t.prefix], { cwd: dir, env: { RUNS_DIR: dir } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("hooks.ts");
      expect(r.stderr).toContain("app.tasks.nope");
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }));
});
