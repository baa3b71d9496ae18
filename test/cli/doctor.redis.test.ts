/**
 * `scheduler doctor` as a real process (after `npm run build`), against the real Redis, plus the
 * check runner itself.
 */
import { execFile } from "node:child_process";
import { chmod } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { cleanupApps, makeApp, REPO_ROOT } from "../hooks/app-fixture.js";
import { CHECKS, formatFindings, healthy, runDoctor } from "../../src/cli/doctor/run.js";
import { persistenceCheck, redisCheck } from "../../src/cli/doctor/redis-checks.js";
import { configCheck } from "../../src/cli/doctor/hooks-checks.js";
import type { Check } from "../../src/cli/doctor/types.js";

const BIN = join(REPO_ROOT, "bin", "scheduler.js");
let t: TestRedis;

beforeAll(async () => {
  t = await testRedis("doctor");
});
afterAll(async () => {
  await t.cleanup();
  await cleanupApps();
});

/** The environment without anything that would change which config wins. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ["REDIS_URL", "SCHEDULER_PREFIX", "SCHEDULER_TIMEZONE", "SCHEDULER_LOG_LEVEL"]) delete env[k];
  return { ...env, ...extra };
}

/** `scheduler doctor` on this file's own prefix: never an installation the test did not create. */
async function doctor(args: string[], cwd: string, env = cleanEnv()): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // Five run at once; each evaluates the hooks file and the task modules twice (probe thread,
    // then for real: src/tasks/load-probe.ts), which on a busy 2-core machine takes a while.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, "doctor", ...args, "--prefix", t.prefix], { cwd, env, timeout: 40_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout: string; stderr: string };
    if (typeof e.code !== "number") throw err;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// Concurrent: each spawns its own process on its own temp app (wall time matters on 2 cores).
describe.concurrent("scheduler doctor (process)", () => {
  it("the example app is healthy: exit 0, one line per finding", async () => {
    const r = await doctor(["--hooks", "hooks.example.ts", "--redis", t.url], REPO_ROOT);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ok {4}hooks: hooks\.example\.ts: \d+ scheduled tasks$/);
    expect(lines[1]).toMatch(/^ok {4}tasks: \d+ task paths resolve under \.$/);
    expect(lines[2]).toMatch(/^ok {4}config: timezone /);
    expect(lines[3]).toMatch(new RegExp(`^ok {4}redis: Redis answers at ${t.url.replace(/[./]/g, "\\$&")} \\(version \\d+\\.\\d+\\.\\d+\\)$`));
    expect(lines[4]).toMatch(/^(ok {4}|warn {2})persistence: /);
    expect(lines.at(-1)).toMatch(/^doctor: healthy/);
  });

  it("a broken hooks file: exit 1, every problem on its own line naming file and key", async () => {
    const cwd = await makeApp({
      "hooks.ts": `export default { scheduler_events: { dayly: ["my_app.tasks.x"], cron: ["my_app.tasks.y"] }, timezone: "Nowhere/Land" };\n`,
    });
    const r = await doctor(["--redis", t.url], cwd);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error hooks: hooks.ts: scheduler_events.dayly: unknown event "dayly" (did you mean "daily"?)');
    expect(r.stdout).toContain("error hooks: hooks.ts: scheduler_events.cron: is a list where a map is needed");
    expect(r.stdout).toContain('error hooks: hooks.ts: timezone: "Nowhere/Land" is not an IANA time zone');
    // Redis is still checked from flags and environment.
    expect(r.stdout).toMatch(/ok {4}redis: Redis answers at/);
    expect(r.stdout).toMatch(/doctor: 3 errors/);
  });

  it("bad task paths and a syntax error are reported with the file and key", async () => {
    const cwd = await makeApp({
      "hooks.ts": `export default { scheduler_events: { daily: ["my_app.tasks.good", "my_app.tasks.absent"], hourly: ["my_app.gone.fn"] } };\n`,
      "my_app/tasks.ts": "export function good() {}\n",
    });
    const r = await doctor(["--redis", t.url, "--json"], cwd);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { healthy: boolean; findings: Array<{ check: string; level: string; message: string; fix?: string }> };
    expect(report.healthy).toBe(false);
    const errors = report.findings.filter((f) => f.level === "error");
    expect(errors.map((f) => f.check)).toEqual(["tasks", "tasks"]);
    expect(errors[0]!.message).toMatch(/^hooks\.ts: scheduler_events\.daily\[1\]: task path "my_app\.tasks\.absent": my_app\/tasks\.ts does not export "absent"/);
    expect(errors[1]!.message).toMatch(/^hooks\.ts: scheduler_events\.hourly\[0\]: task path "my_app\.gone\.fn": no module my_app\/gone/);
  });

  it("no hooks file, and an unreachable Redis, both exit 1 with what to do", async () => {
    const empty = await makeApp({});
    const r = await doctor(["--redis", "redis://127.0.0.1:1"], empty);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^error hooks: no hooks file in .*: looked for hooks\.ts.* -> create hooks\.ts/m);
    expect(r.stdout).toMatch(/^error redis: cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/?: .* -> start redis-server/m);
    expect(r.stdout).toMatch(/^warn {2}persistence: skipped/m);
  });

});

describe("doctor checks (in process)", () => {
  const options = (extra: Partial<Parameters<typeof runDoctor>[0]> = {}) => ({ cwd: REPO_ROOT, env: cleanEnv(), hooks: "hooks.example.ts", redis: t.url, prefix: t.prefix, ...extra });

  it("a hooks file with a syntax error, and a bad setting from the environment", async () => {
    const broken = await makeApp({ "hooks.ts": "export default { scheduler_events: { daily: [ } };\n" });
    const a = await runDoctor(options({ cwd: broken, hooks: undefined }));
    expect(formatFindings(a)).toMatch(/^error hooks: .*hooks\.ts: failed to load: .*hooks\.ts:1:\d+ {2}-> fix the error/m);
    expect(healthy(a)).toBe(false);
    const b = await runDoctor(options({ redis: undefined, env: cleanEnv({ REDIS_URL: "localhost" }) }));
    expect(formatFindings(b)).toMatch(/^error config: REDIS_URL: "localhost" is not a Redis URL/m);
  });

  it("nothing configured and nothing answering: the embedded default, which needs redis-server on PATH", async () => {
    const cwd = await makeApp({ "hooks.ts": "export default { scheduler_events: {} };\n" });
    const dead = "redis://127.0.0.1:1";
    const bin = await makeApp({ "redis-server": "#!/bin/sh\nexit 0\n" });
    await chmod(join(bin, "redis-server"), 0o755);
    const found = await runDoctor({ cwd, env: { PATH: bin }, probeUrl: dead }, [configCheck, redisCheck, persistenceCheck]);
    expect(found.map((f) => [f.check, f.level])).toEqual([["config", "ok"], ["redis", "ok"], ["persistence", "ok"]]);
    expect(found[1]!.message).toBe(`no Redis URL configured and none answers on ${dead}: the embedded default will run ${join(bin, "redis-server")} (AOF in .scheduler/redis/)`);
    const missing = await runDoctor({ cwd, env: { PATH: cwd }, probeUrl: dead }, [configCheck, redisCheck]);
    expect(missing[1]).toMatchObject({ level: "error", message: `no Redis URL configured, none answers on ${dead}, and redis-server is not on PATH` });
    expect(missing[1]!.fix).toMatch(/install redis-server/);
  });

  it("persistence reports what the server's CONFIG says", async () => {
    const findings = await runDoctor(options(), [configCheck, redisCheck, persistenceCheck]);
    const p = findings.find((f) => f.check === "persistence")!;
    const values = (await t.redis.config("GET", "*")) as string[];
    const get = (k: string) => values[values.indexOf(k) + 1];
    if (get("appendonly") === "no" && get("save") === "") {
      expect(p.level).toBe("warn");
      expect(p.message).toMatch(/persistence is off/);
    } else {
      expect(p.level).toBe("ok");
      expect(p.message).toMatch(get("appendonly") === "yes" ? /AOF on/ : /RDB snapshots only/);
    }
  });

  it("adding a check is one entry; a check that throws becomes an error finding and the rest still run", async () => {
    const crashing: Check = {
      name: "crashy",
      run: async () => {
        throw new Error("boom");
      },
    };
    const after: Check = { name: "after", run: async (ctx) => [{ check: "after", level: "ok", message: `config resolved: ${ctx.config !== undefined}` }] };
    const findings = await runDoctor(options(), [...CHECKS, crashing, after]);
    expect(findings.map((f) => f.check)).toEqual([...CHECKS.map((c) => c.name), "crashy", "after"]);
    expect(findings.find((f) => f.check === "crashy")).toMatchObject({ level: "error", message: "check failed: boom" });
    expect(findings.at(-1)!.message).toBe("config resolved: true");
    expect(healthy(findings)).toBe(false);
    expect(formatFindings(findings)).toMatch(/\nerror crashy: check failed: boom {2}-> report this/);
  });
});
