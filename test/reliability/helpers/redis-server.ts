/**
 * A redis-server of the test's own, on its own port (6411-6419 are kept for these; 6415 is
 * test/cli/status-watch-outage's), so a test can kill it, restart it on the same AOF, require a
 * password, or read its memory without other test files' traffic. The data folder is a fresh
 * temp dir, removed by stop().
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { waitFor } from "../../helpers/redis.js";

export interface RedisServerOptions {
  port: number;
  /** AOF with appendfsync always: every acknowledged write survives a kill -9. */
  aof?: boolean;
  /** Extra redis-server arguments (e.g. ["--requirepass", "pw"]). */
  args?: string[];
  /** Password used to PING it when it requires one. */
  password?: string;
}

export interface RedisServer {
  port: number;
  url: string;
  dir: string;
  proc(): ChildProcess;
  /** Start it (again), on the same data folder; resolves once it answers PING. */
  start(): Promise<void>;
  /** kill -9 (or another signal); resolves once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Kill it and remove its data folder. */
  stop(): Promise<void>;
}

export async function answers(port: number, password?: string): Promise<boolean> {
  const r = new Redis({ port, host: "127.0.0.1", password, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 300 });
  r.on("error", () => {});
  try {
    await r.connect();
    return (await r.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

export async function redisServer(o: RedisServerOptions): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), `hs-rel-redis-${o.port}-`));
  let proc: ChildProcess | undefined;
  // A server left on our port by an aborted earlier run: end it.
  if (await answers(o.port, o.password)) {
    const old = new Redis({ port: o.port, password: o.password, lazyConnect: true });
    old.on("error", () => {});
    await old.connect();
    await old.shutdown("NOSAVE").catch(() => {});
    old.disconnect();
    await waitFor(async () => !(await answers(o.port, o.password)), 5_000);
  }
  const server: RedisServer = {
    port: o.port,
    url: `redis://127.0.0.1:${o.port}`,
    dir,
    proc: () => proc!,
    async start() {
      const args = ["--port", String(o.port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--daemonize", "no", "--logfile", join(dir, "redis.log")];
      if (o.aof) args.push("--appendonly", "yes", "--appendfsync", "always");
      else args.push("--appendonly", "no");
      proc = spawn("redis-server", [...args, ...(o.args ?? [])], { stdio: "ignore" });
      await waitFor(() => answers(o.port, o.password), 10_000, 50);
    },
    async kill(signal = "SIGKILL") {
      const p = proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const gone = new Promise((r) => p.once("exit", r));
      p.kill(signal);
      await gone;
    },
    async stop() {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
