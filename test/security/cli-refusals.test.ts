/**
 * Bad targets refused as one line before anything is written, and secrets never printed:
 * empty prefixes, out-of-range or malformed databases, passwords in every URL form, and a
 * `--hooks` file that is not a hooks file (its content is never echoed).
 * Port 1 is closed on every machine: a command that got past validation fails differently.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/spawn.js";
import { TEST_REDIS_DB } from "../helpers/redis.js";

const CLOSED = "redis://127.0.0.1:1/0";
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: "/", env: { REDIS_URL: "", SCHEDULER_PREFIX: undefined, ...env }, timeoutMs: 15_000 });

function oneLine(r: { stdout: string; stderr: string; code: number | null }): string {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe("");
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return r.stderr;
}

describe("empty and bad prefixes", () => {
  it("--prefix '' is refused, not read as the default prefix (purge would empty the default installation)", async () => {
    const err = oneLine(await run(["purge", "--yes", "--redis", CLOSED, "--prefix", ""]));
    expect(err).toBe('scheduler: --prefix: key prefix "" is not allowed: use letters, digits, "_", "-" or "." (no braces or colons)\n');
  });

  it("SCHEDULER_PREFIX= is refused, and its errors are labelled SCHEDULER_PREFIX", async () => {
    expect(oneLine(await run(["status", "--redis", CLOSED], { SCHEDULER_PREFIX: "" }))).toMatch(/^scheduler: SCHEDULER_PREFIX: key prefix "" is not allowed/);
    expect(oneLine(await run(["status", "--redis", CLOSED], { SCHEDULER_PREFIX: "a:b" }))).toMatch(/^scheduler: SCHEDULER_PREFIX: key prefix "a:b" is not allowed/);
  });
});

describe("database and URL shape", () => {
  it("a database the server does not have is refused (ioredis would go on in database 0)", async () => {
    const err = oneLine(await run(["status", "--redis", "redis://127.0.0.1:6379/999", "--prefix", "t-range"]));
    expect(err).toMatch(/^scheduler: Redis at redis:\/\/127\.0\.0\.1:6379\/999: database 999 is out of range \(the server has databases 0\.\.\d+\)/);
  });

  it.each([
    ["redis://", /names no host/],
    ["redis://127.0.0.1:6379/abc", /names database "abc", which is not a number/],
    ["redis://127.0.0.1:6379/99999999999", /database 99999999999, which is out of range/],
    ["redis://127.0.0.1:6379/1?db=x", /names database "x" \(\?db=\), which is not a number/],
  ])("%s: one line naming --redis", async (url, why) => {
    const err = oneLine(await run(["status", "--redis", url, "--prefix", "t-shape"]));
    expect(err).toMatch(/^scheduler: --redis: /);
    expect(err).toMatch(why);
  });

  it("REDIS_URL problems name REDIS_URL", async () => {
    expect(oneLine(await run(["status", "--prefix", "t-shape"], { REDIS_URL: "redis://" }))).toMatch(/^scheduler: REDIS_URL: "redis:\/\/" names no host/);
  });
});

describe("passwords are never printed", () => {
  it.each([
    ["redis://user:hunter2pw@127.0.0.1:6379/abc"],
    ["redis://hunter2pw@127.0.0.1:6379/abc"],
    ["redis://127.0.0.1:6379/abc?password=hunter2pw"],
    [`redis://hunter2pw@127.0.0.1:6379/${TEST_REDIS_DB}`],
    [`redis://127.0.0.1:6379/${TEST_REDIS_DB}?password=hunter2pw`],
  ])("%s", async (url) => {
    // The last one connects (this server has no password) and prints the status screen with its URL.
    const r = await run(["status", "--redis", url, "--prefix", "t-secret"]);
    expect(r.stdout + r.stderr).not.toContain("hunter2pw");
    expect(r.stdout + r.stderr).toContain("***");
  });
});

describe("--hooks naming a file that is not a hooks file", () => {
  it("says so without echoing a byte of it", async () => {
    const err = oneLine(await run(["status", "--hooks", "/etc/passwd", "--redis", CLOSED]));
    expect(err).toMatch(/is not a hooks file: it has no extension/);
    expect(err).not.toContain("root:");
  });
});
