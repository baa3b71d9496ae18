/**
 * `scheduler status --watch` outlives a Redis outage: it says Redis is unreachable (once, without
 * a TTY), keeps trying, and draws again once Redis is back. A redis-server of its own (a free port),
 * so killing it touches no other test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capture, spawnCli } from "../helpers/spawn.js";
import { waitFor } from "../helpers/redis.js";
import { ownedByFile } from "../helpers/test-owner.js";
import { redisServer, type RedisServer } from "../reliability/helpers/redis-server.js";

let server: RedisServer;

beforeAll(async () => {
  server = await redisServer();
  await server.start();
});
afterAll(async () => {
  await server.stop();
});

describe("scheduler status --watch across a Redis outage", () => {
  it("reports the outage once, keeps watching, draws again when Redis is back, and exits 0 on SIGINT", async () => {
    const child = spawnCli(["status", "--watch", "--redis", server.url, "--prefix", "status-outage"], { cwd: "/" });
    const { stdout, stderr, closed } = capture(child);
    try {
      await waitFor(() => stdout().includes("Queues\n"), 15_000).catch((e: Error) => {
        throw new Error(`${e.message}; stdout: ${stdout()}; stderr: ${stderr()}`);
      });
      await server.kill("SIGKILL");
      await waitFor(() => new RegExp(`Redis at redis://127\\.0\\.0\\.1:${server.port}/? is unreachable since .+; retrying every 2 s \\(Ctrl-C to stop\\)\\n`).test(stdout()), 15_000);
      const before = stdout().split("Queues\n").length;
      // Two more ticks while down: still one outage line, and the process is alive.
      await new Promise((r) => setTimeout(r, 4500));
      expect(stdout().match(/is unreachable since/g)).toHaveLength(1);
      expect(child.exitCode).toBeNull();
      // The file's server again (stopped in afterAll), not this test's process.
      await ownedByFile(() => server.start());
      await waitFor(() => stdout().includes("answers again\n") && stdout().split("Queues\n").length > before, 20_000);
      child.kill("SIGINT");
      expect(await closed).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
