/**
 * A redis-server of the test's own, on a port that was free when it was made (bound to port 0
 * to learn one), so a test can kill it, restart it on the same port and AOF, require a password,
 * or read its memory without other test files' traffic, and so two runs of the suite (or two
 * engineers' runs) never meet on one port. The data folder is a fresh temp dir, removed by stop().
 *
 * Each started server leaves a pid file (its pid, port, data folder and the test process that
 * started it) in PID_DIR. A later run stops a server only through such a file, and only when
 * the test process that started it is gone and that pid is still a redis-server on that port:
 * never a server it did not start.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { freePort } from "../../../src/base/free-port.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { waitFor } from "../../helpers/redis.js";

export const PID_DIR = join(tmpdir(), "hs-test-redis-servers");

export interface RedisServerOptions {
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
  /** Start it (again), on the same port and data folder; resolves once it answers PING. */
  start(): Promise<void>;
  /** kill -9 (or another signal); resolves once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Kill it and remove its data folder and pid file. */
  stop(): Promise<void>;
}

interface PidRecord {
  pid: number;
  port: number;
  dir: string;
  owner: number;
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether `pid` is still the redis-server we started on `port` (not a reused pid). */
function isOurServer(pid: number, port: number): boolean {
  try {
    // redis-server rewrites its title to "redis-server 127.0.0.1:<port>"; before that it is argv.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
    return cmdline.includes("redis-server") && new RegExp(`(^|[\\s:])${port}(\\s|$)`).test(cmdline);
  } catch {
    return false;
  }
}

/** Stop servers left by test processes that died without stop() (an aborted run), and only those. */
export function reapOrphans(): void {
  let files: string[];
  try {
    files = readdirSync(PID_DIR);
  } catch {
    return;
  }
  for (const name of files) {
    const file = join(PID_DIR, name);
    let rec: PidRecord;
    try {
      rec = JSON.parse(readFileSync(file, "utf8")) as PidRecord;
    } catch {
      continue; // being written, or not ours to judge
    }
    if (alive(rec.owner)) continue;
    if (isOurServer(rec.pid, rec.port)) {
      try {
        process.kill(rec.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(rec.dir, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
}

export async function redisServer(o: RedisServerOptions = {}): Promise<RedisServer> {
  reapOrphans();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `hs-rel-redis-${port}-`));
  const pidFile = join(PID_DIR, `${port}.json`);
  let proc: ChildProcess | undefined;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    proc: () => proc!,
    async start() {
      const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--daemonize", "no", "--logfile", join(dir, "redis.log")];
      if (o.aof) args.push("--appendonly", "yes", "--appendfsync", "always");
      else args.push("--appendonly", "no");
      const p = spawn("redis-server", [...args, ...(o.args ?? [])], { stdio: "ignore" });
      proc = p;
      if (p.pid !== undefined) {
        mkdirSync(PID_DIR, { recursive: true });
        writeFileSync(pidFile, JSON.stringify({ pid: p.pid, port, dir, owner: process.pid } satisfies PidRecord));
      }
      const exited = new Promise<never>((_, reject) =>
        p.once("exit", (code, signal) => reject(new Error(`redis-server on port ${port} exited (${signal ?? code}) before answering; see ${join(dir, "redis.log")}`))),
      );
      exited.catch(() => {});
      await Promise.race([waitFor(() => answers(port, o.password), 10_000, 50), exited]);
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
      rmSync(pidFile, { force: true });
    },
  };
  return server;
}
