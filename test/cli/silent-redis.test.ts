/**
 * A Redis URL at a port that accepts connections and never answers: every command fails in
 * about the connect timeout with one line naming the address, and `start` waiting for such a
 * server stops on the first SIGTERM. The silent server is a plain TCP listener on a free port.
 */
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boundedPool } from "../helpers/pool.js";
import { capture, runCli as runCliNow, spawnCli } from "../helpers/spawn.js";

let server: Server;
let url: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  url = `redis://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

// The cases mostly wait out the 1 s connect timeout against one listener that takes any number
// of connections: they run side by side, four CLI processes at a time (start-ups are CPU work).
const pooled = boundedPool(4);
const runCli: typeof runCliNow = (args, options) => pooled(() => runCliNow(args, options));

const TIMEOUT_ENV = { SCHEDULER_CONNECT_TIMEOUT: "1", SCHEDULER_COMMAND_TIMEOUT: "1" };

describe.concurrent("a port that accepts and never answers", () => {
  const commands: Array<[string, string[]]> = [
    ["status", ["status", "--prefix", "silent"]],
    ["jobs", ["jobs", "--prefix", "silent"]],
    ["logs", ["logs", "--prefix", "silent"]],
    ["purge", ["purge", "--yes", "--prefix", "silent"]],
    ["reload", ["reload", "--prefix", "silent"]],
    ["list", ["list", "--hooks", "hooks.example.ts", "--prefix", "silent"]],
    ["trigger", ["trigger", "daily", "--hooks", "hooks.example.ts", "--prefix", "silent"]],
    ["enqueue", ["enqueue", "my_app.tasks.daily_report", "--hooks", "hooks.example.ts", "--prefix", "silent"]],
  ];

  it.each(commands)("%s fails in about the connect timeout, naming the address", async (_name, args) => {
    // 1 s deadline; the bound leaves room for node start-up and hooks loading on a busy machine.
    let started = 0;
    const result = await pooled(() => {
      started = Date.now();
      return runCliNow([...args, "--redis", url], { env: TIMEOUT_ENV, timeoutMs: 15_000 });
    });
    const took = Date.now() - started;
    expect(result.signal, `still running after ${took} ms`).toBeNull();
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`cannot reach Redis at ${url}`);
    expect(lines[0]).toContain("no answer within 1 s");
  });

  it("doctor reports the address and exits unhealthy", async () => {
    const result = await runCli(["doctor", "--hooks", "hooks.example.ts", "--redis", url, "--prefix", "silent"], { env: TIMEOUT_ENV, timeoutMs: 15_000 });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain(`cannot reach Redis at ${url}: no answer within 1 s`);
  });

  it("the timeouts are configurable and checked: a bad value is one line naming the variable", async () => {
    const result = await runCli(["status", "--redis", url, "--prefix", "silent"], { env: { SCHEDULER_CONNECT_TIMEOUT: "soon" }, timeoutMs: 15_000 });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringContaining('SCHEDULER_CONNECT_TIMEOUT: "soon" is not a number of seconds')]);
  });

  it("start waiting for such a server says so, and the first SIGTERM stops it", async () => {
    const child = spawnCli(["start", "--hooks", "hooks.example.ts", "--redis", url, "--prefix", "silent"], { env: TIMEOUT_ENV });
    const out = capture(child);
    try {
      const deadline = Date.now() + 20_000;
      while (!out.stdout().includes("no answer within 1 s") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(out.stdout()).toContain(`cannot reach Redis at ${url}: no answer within 1 s`);
      const signalled = Date.now();
      child.kill("SIGTERM");
      const code = await Promise.race([out.closed, new Promise((r) => setTimeout(() => r("still running 8 s after SIGTERM"), 8_000))]);
      expect(code).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(8_000);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
