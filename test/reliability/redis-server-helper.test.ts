/**
 * The suite's own redis-servers (helpers/redis-server.ts): a free port each, a pid file while
 * running, and a later run stops only servers an exited test process left behind; a redis-server
 * somebody else started, or a pid that is no longer a redis-server, is left alone.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/redis.js";
import { freePort } from "../../src/base/free-port.js";
import { answers, PID_DIR, reapOrphans, redisServer } from "./helpers/redis-server.js";

const started: ChildProcess[] = [];
afterEach(() => {
  for (const p of started.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
});

/** A pid that has exited: a finished `true`. */
async function deadPid(): Promise<number> {
  const p = spawn("true");
  await new Promise((r) => p.once("exit", r));
  return p.pid!;
}

/** A redis-server started outside the helper (as another engineer's or the machine's would be). */
async function foreignServer(): Promise<{ proc: ChildProcess; port: number; dir: string }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "hs-foreign-redis-"));
  const proc = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  started.push(proc);
  await waitFor(() => answers(port), 10_000, 50);
  return { proc, port, dir };
}

function pidFile(port: number, record: object): string {
  mkdirSync(PID_DIR, { recursive: true });
  const file = join(PID_DIR, `${port}.json`);
  writeFileSync(file, JSON.stringify(record));
  return file;
}

describe("test redis-servers", () => {
  it("each gets its own free port and a pid file that stop() removes", async () => {
    const [a, b] = await Promise.all([redisServer(), redisServer()]);
    await Promise.all([a!.start(), b!.start()]);
    expect(a!.port).not.toBe(b!.port);
    for (const s of [a!, b!]) {
      expect(await answers(s.port)).toBe(true);
      expect(existsSync(join(PID_DIR, `${s.port}.json`))).toBe(true);
    }
    await a!.stop();
    expect(await answers(a!.port)).toBe(false);
    expect(existsSync(join(PID_DIR, `${a!.port}.json`))).toBe(false);
    expect(await answers(b!.port)).toBe(true);
    await b!.stop();
  });

  it("an orphan (its test process gone) is stopped; one whose test process lives is not", async () => {
    const orphan = await foreignServer();
    const orphanFile = pidFile(orphan.port, { pid: orphan.proc.pid, port: orphan.port, dir: orphan.dir, owner: await deadPid() });
    const kept = await foreignServer();
    const keptFile = pidFile(kept.port, { pid: kept.proc.pid, port: kept.port, dir: kept.dir, owner: process.pid });
    const gone = new Promise((r) => orphan.proc.once("exit", r));
    reapOrphans();
    await gone;
    expect(existsSync(orphanFile)).toBe(false);
    expect(existsSync(orphan.dir)).toBe(false);
    expect(await answers(kept.port)).toBe(true);
    expect(existsSync(keptFile)).toBe(true);
    rmSync(keptFile, { force: true });
    rmSync(kept.dir, { recursive: true, force: true });
  });

  it("a redis-server without a pid file, or a pid file whose pid is another program, is left alone", async () => {
    const foreign = await foreignServer();
    const sleeper = spawn("sleep", ["30"]);
    started.push(sleeper);
    const dir = mkdtempSync(join(tmpdir(), "hs-stale-"));
    const stale = pidFile(foreign.port + 1, { pid: sleeper.pid, port: foreign.port + 1, dir, owner: await deadPid() });
    const s = await redisServer(); // reaps first
    expect(await answers(foreign.port)).toBe(true);
    expect(sleeper.exitCode === null && sleeper.signalCode === null).toBe(true);
    expect(existsSync(stale)).toBe(false);
    await s.stop();
    rmSync(foreign.dir, { recursive: true, force: true });
  });
});
