/**
 * The suite's Redis: which one (TEST_REDIS_URL, TEST_REDIS_DB, database 1 by default), and the
 * global setup that stops a run with one line when none answers (a real vitest process).
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/base/free-port.js";
import { REPO_ROOT } from "../helpers/spawn.js";
import { testRedisTarget } from "../helpers/test-redis-url.js";

describe("the test Redis", () => {
  it("is 127.0.0.1:6379 database 1 unless told; TEST_REDIS_DB and TEST_REDIS_URL choose", () => {
    expect(testRedisTarget({})).toEqual({ url: "redis://127.0.0.1:6379/1", db: 1 });
    expect(testRedisTarget({ TEST_REDIS_DB: "8" })).toEqual({ url: "redis://127.0.0.1:6379/8", db: 8 });
    expect(testRedisTarget({ TEST_REDIS_URL: "redis://:pw@cache.internal:6380/4" })).toEqual({ url: "redis://:pw@cache.internal:6380/4", db: 4 });
    expect(testRedisTarget({ TEST_REDIS_URL: "redis://cache.internal:6380" }).url).toBe("redis://cache.internal:6380/1");
    expect(testRedisTarget({ TEST_REDIS_URL: "redis://cache.internal:6380/4", TEST_REDIS_DB: "2" }).url).toBe("redis://cache.internal:6380/2");
    expect(() => testRedisTarget({ TEST_REDIS_URL: "localhost:6379" })).toThrow('TEST_REDIS_URL="localhost:6379" is not a redis:// or rediss:// URL');
    expect(() => testRedisTarget({ TEST_REDIS_DB: "one" })).toThrow('TEST_REDIS_DB "one" is not a database number');
  });

  it("with none answering, a run stops at once with one line saying what to do", async () => {
    const port = await freePort();
    const started = Date.now();
    const child = spawn(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "test/hooks/normalize.test.ts"], {
      cwd: REPO_ROOT,
      env: { ...process.env, TEST_REDIS_DB: "", TEST_REDIS_URL: `redis://127.0.0.1:${port}`, FORCE_COLOR: "0", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.on("data", (d) => (stdout += d));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(1);
    expect(stderr).toBe(`tests: no Redis answers at redis://127.0.0.1:${port}/1 (connect ECONNREFUSED 127.0.0.1:${port}): start redis-server, or set TEST_REDIS_URL\n`);
    expect(stdout).not.toMatch(/ECONNREFUSED|✓|passed/);
    // Only vitest's own start-up, not a file's connection timeouts.
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
