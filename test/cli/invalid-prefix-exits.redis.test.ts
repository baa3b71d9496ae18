/**
 * An invalid prefix with the server named by REDIS_URL: every command prints the prefix error and
 * exits at once. The prefix is checked before a connection is opened; a client opened first and
 * never closed used to keep the process alive after the error line.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/spawn.js";
import { TEST_REDIS_URL } from "../helpers/redis.js";

const COMMANDS: string[][] = [
  ["status"],
  ["jobs"],
  ["jobs", "show", "some-id"],
  ["jobs", "retry", "--failed"],
  ["jobs", "cancel", "some-id"],
  ["purge", "--yes"],
  ["enable"],
  ["disable"],
  ["pause"],
  ["resume"],
  ["reload"],
  ["why", "my_app.tasks.x"],
  ["logs"],
];

describe("invalid prefix with REDIS_URL set", () => {
  it.each(COMMANDS.map((c) => [c.join(" "), c] as const))("%s: the error, then exit 2 (a bad --prefix is a usage error)", async (_name, args) => {
    const started = Date.now();
    // Bounded far above a normal run (well under a second) and far below the old forever.
    const result = await runCli([...args, "--prefix", "a{b}"], { env: { REDIS_URL: TEST_REDIS_URL }, timeoutMs: 15_000, cwd: "/" });
    expect(result.signal, `still running after ${Date.now() - started} ms`).toBeNull();
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/key prefix "a\{b\}" is not allowed/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});
