import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/spawn.js";

describe("the scheduler program", () => {
  it("lists every command of the README's CLI section in --help", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const cmd of ["start", "worker", "trigger", "enqueue", "list", "status", "doctor", "jobs", "purge", "logs", "enable", "disable", "pause", "resume", "serve", "metrics"]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, "m"));
    }
  });

  it("prints the package version", async () => {
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("rejects an unknown command with a one-line error, a suggestion and exit 2", async () => {
    const r = await runCli(["statu"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'statu'");
    expect(r.stderr).toContain("status");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("rejects an unknown option with exit 2 and no stack trace", async () => {
    const r = await runCli(["list", "--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("rejects a missing argument of a nested command with exit 2", async () => {
    const r = await runCli(["jobs", "show"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required argument 'id'");
  });

  it("shows help for a subcommand", async () => {
    const r = await runCli(["worker", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--burst");
    expect(r.stdout).toContain("--queue");
  });
});
