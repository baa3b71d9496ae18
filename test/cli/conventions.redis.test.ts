/**
 * The CLI behaves like the tools people know (spawned as a real process, bin/scheduler.js over
 * dist/: run `npm run build` first): global options before or after the subcommand, --json on
 * every command with errors as JSON on stdout, exit 2 for every usage error, quiet on a closed
 * pipe, an explicit --hooks never ignored, the bare `scheduler` a usage error.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvent } from "../../src/log/events.js";
import { BIN, runCli as run, type CliOptions } from "../helpers/spawn.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { jobHash } from "../helpers/job-reads.js";

let t: TestRedis;
// A cap, not an expectation: a CLI start-up on a loaded 2-core machine can take seconds.
const runCli = (args: string[], options: CliOptions = {}) => run(args, { timeoutMs: 90_000, ...options });
const noEnv = { REDIS_URL: "", SCHEDULER_PREFIX: "" };

beforeAll(async () => {
  t = await testRedis("cli-conventions");
});
afterAll(async () => {
  await t.cleanup();
});

describe("CLI conventions", () => {
  it("takes --redis and --prefix before the subcommand as well as after it", { timeout: 180_000 }, async () => {
    const before = await runCli(["--redis", t.url, "--prefix", t.prefix, "status", "--json"], { env: noEnv });
    const after = await runCli(["status", "--redis", t.url, "--prefix", t.prefix, "--json"], { env: noEnv });
    const nested = await runCli(["--redis", t.url, "--prefix", t.prefix, "--json", "jobs", "show", "no-such-job"], { env: noEnv });
    expect(before.stderr).toBe("");
    expect([before.code, after.code]).toEqual([0, 0]);
    expect(JSON.parse(before.stdout)).toMatchObject({ url: t.url, prefix: t.prefix });
    expect(JSON.parse(after.stdout)).toMatchObject({ url: t.url, prefix: t.prefix });
    // The nested subcommand got the options given before `jobs`: it looked in our prefix.
    expect(nested.code).toBe(1);
    expect(JSON.parse(nested.stdout)).toEqual({ error: { code: "NO_SUCH_JOB", message: "no job with id no-such-job or an id starting so", hint: "list jobs with `scheduler jobs`" } });
  });

  it("a flag typed on the line beats the environment wherever it is typed", { timeout: 180_000 }, async () => {
    const r = await runCli(["--prefix", t.prefix, "status", "--json", "--redis", t.url], { env: { REDIS_URL: "", SCHEDULER_PREFIX: "someone-else" } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).prefix).toBe(t.prefix);
  });

  it("--json on pause, resume, disable, enable prints the switch as JSON", { timeout: 180_000 }, async () => {
    const common = ["--redis", t.url, "--prefix", t.prefix, "--json"];
    const pause = await runCli(["pause", ...common], { env: noEnv });
    expect(pause.code).toBe(0);
    expect(JSON.parse(pause.stdout)).toEqual({ action: "pause", before: "running", after: "paused", changed: true });
    const resume = await runCli([...common, "resume"], { env: noEnv });
    expect(JSON.parse(resume.stdout)).toEqual({ action: "resume", before: "paused", after: "running", changed: true });
    const disable = await runCli([...common, "disable"], { env: noEnv });
    expect(JSON.parse(disable.stdout)).toMatchObject({ after: "disabled", changed: true });
    const enable = await runCli([...common, "enable"], { env: noEnv });
    expect(JSON.parse(enable.stdout)).toMatchObject({ after: "running", changed: true });
  });

  it("--json on trigger lists the enqueued jobs; under --json an error is JSON on stdout with the same exit code", { timeout: 180_000 }, async () => {
    const hooks = "test/cli/fixtures/zone-app/hooks.ts";
    const ok = await runCli(["trigger", "daily", "--hooks", hooks, "--redis", t.url, "--prefix", t.prefix, "--json"], { env: noEnv });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const [job] = JSON.parse(ok.stdout) as Array<{ method: string; id: string; queue: string }>;
    expect(job).toMatchObject({ method: "zone_app.tasks.report", queue: "default" });
    expect((await jobHash(t, job!.id)).method).toBe("zone_app.tasks.report");

    const bad = await runCli(["trigger", "dayly", "--hooks", hooks, "--redis", t.url, "--prefix", t.prefix, "--json"], { env: noEnv });
    const plain = await runCli(["trigger", "dayly", "--hooks", hooks, "--redis", t.url, "--prefix", t.prefix], { env: noEnv });
    expect(bad.code).toBe(plain.code);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("");
    const err = JSON.parse(bad.stdout) as { error: { code: string; message: string; hint?: string } };
    expect(err.error.code).toMatch(/^[A-Z_]+$/);
    expect(plain.stderr).toContain(err.error.message);
  });

  it("--json on reload: nothing listening is a JSON answer and exit 1", { timeout: 180_000 }, async () => {
    const r = await runCli(["reload", "--redis", t.url, "--prefix", t.prefix, "--json", "--timeout", "2s"], { env: noEnv });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ received: 0, replies: [], unanswered: 0 });
  });

  it("every usage error exits 2, as text or as JSON", { timeout: 180_000 }, async () => {
    const common = ["--redis", t.url, "--prefix", t.prefix];
    const since = await runCli(["logs", "--since", "5x", ...common], { env: noEnv });
    const level = await runCli(["logs", "--level", "bogus", ...common], { env: noEnv });
    const lines = await runCli(["logs", "-n", "0", ...common], { env: noEnv });
    const option = await runCli(["status", "--bogus"], { env: noEnv });
    const jsonLevel = await runCli(["--json", "logs", "--level", "bogus", ...common], { env: noEnv });
    const jsonOption = await runCli(["--json", "status", "--bogus"], { env: noEnv });
    expect([since.code, level.code, lines.code, option.code, jsonLevel.code, jsonOption.code]).toEqual([2, 2, 2, 2, 2, 2]);
    expect(since.stderr).toMatch(/^scheduler: --since "5x" is not a duration/);
    expect(level.stderr).toMatch(/^scheduler: --level "bogus" is not a level/);
    expect(JSON.parse(jsonLevel.stdout)).toEqual({ error: { code: "BAD_LEVEL", message: '--level "bogus" is not a level', hint: "use one of debug, info, warn, error" } });
    expect(JSON.parse(jsonOption.stdout).error).toMatchObject({ code: "USAGE", message: "unknown option '--bogus'" });
    expect(jsonOption.stderr).toBe("");
  });

  it("`scheduler` alone prints the help on stderr and exits 2", { timeout: 180_000 }, async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Usage: scheduler [options] [command]");
    expect(r.stderr).toContain("Exit codes:");
  });

  it("an explicit --hooks is never ignored, even with --redis and --prefix given", { timeout: 180_000 }, async () => {
    const r = await runCli(["status", "--hooks", "no/such/hooks.ts", "--redis", t.url, "--prefix", t.prefix], { env: noEnv });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no/such/hooks.ts");
    // and the zone it names is the one shown
    const z = await runCli(["status", "--hooks", "test/cli/fixtures/zone-app/hooks.ts", "--redis", t.url, "--prefix", t.prefix], { env: noEnv });
    expect(z.code).toBe(0);
    expect(z.stdout).toContain("(times in Europe/Berlin)");
  });

  it("`logs | head -2` exits quietly when the reader goes away (EPIPE)", { timeout: 180_000 }, async () => {
    for (let i = 0; i < 3000; i++) await appendEvent(t.redis, t.keys, { type: "job.started", level: "info", at: Date.now(), msg: `event ${i} ${"x".repeat(60)}`, queue: "epipe" });
    const cmd = `'${process.execPath}' '${BIN}' logs --redis '${t.url}' --prefix '${t.prefix}' -n 3000 | head -2; echo "status=\${PIPESTATUS[0]}" >&2`;
    const child = spawn("bash", ["-c", cmd], { env: { ...process.env, ...noEnv } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    await new Promise((r) => child.on("close", r));
    expect(out.trim().split("\n")).toHaveLength(2);
    expect(err.trim()).toBe("status=0");
  });
});
