/**
 * `--help` as a real process (over dist/: run `npm run build` first): the shared options, the
 * environment variables and the exit codes at the top, examples on each command; the command
 * manifest (what -V and --help are answered from without loading commands) names every
 * registered command with its summary; doctor colours its levels on request.
 */
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.js";
import { COMMANDS } from "../../src/cli/command-manifest.js";
import { formatFindings } from "../../src/cli/doctor/run.js";
import { runCli } from "../helpers/spawn.js";

describe("help", () => {
  it("the top-level help names the shared options, environment variables and exit codes", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const text of ["--hooks <path>", "--redis <url>", "--prefix <prefix>", "--json", "--utc", "REDIS_URL", "SCHEDULER_PREFIX", "SCHEDULER_TIMEZONE", "NO_COLOR", "Exit codes:", "2  usage error"]) {
      expect(r.stdout).toContain(text);
    }
  });

  it("every command's help has its examples and the shared options", { timeout: 240_000 }, async () => {
    // A few at a time: sixteen CLI start-ups at once on a small machine are a load test.
    const all: Awaited<ReturnType<typeof runCli>>[] = [];
    for (let i = 0; i < COMMANDS.length; i += 4) all.push(...(await Promise.all(COMMANDS.slice(i, i + 4).map((c) => runCli([c.name, "--help"], { timeoutMs: 60_000 })))));
    all.forEach((r, i) => {
      const entry = COMMANDS[i]!;
      expect(r.code, entry.name).toBe(0);
      expect(r.stdout).toContain("Examples:\n");
      for (const e of entry.examples) expect(r.stdout).toContain(`  $ ${e}`);
      expect(r.stdout).toContain("--redis <url>");
      expect(r.stdout).toContain("--json");
    });
  });

  it("the manifest names every registered command with the same summary", async () => {
    const program = await buildProgram();
    const registered = program.commands.map((c) => [c.name(), c.description()]);
    expect(registered).toEqual(COMMANDS.map((c) => [c.name, c.summary]));
  });

  it("doctor colours ok, warn, error and the counts only when asked", () => {
    const findings = [
      { check: "redis", level: "ok" as const, message: "answers" },
      { check: "workers", level: "warn" as const, message: "none", fix: "start one" },
      { check: "hooks", level: "error" as const, message: "bad", fix: "fix it" },
    ];
    const coloured = formatFindings(findings, true);
    expect(coloured).toContain("\x1b[32mok   \x1b[0m redis");
    expect(coloured).toContain("\x1b[33mwarn \x1b[0m workers");
    expect(coloured).toContain("\x1b[31merror\x1b[0m hooks");
    expect(coloured).toContain("doctor: \x1b[31m1 error\x1b[0m, \x1b[33m1 warning\x1b[0m");
    expect(formatFindings(findings)).not.toContain("\x1b[");
  });
});
