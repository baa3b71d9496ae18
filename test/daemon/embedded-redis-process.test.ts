/**
 * The embedded Redis across real processes (fixtures/embedded-owner.mjs, which imports dist/:
 * run `npm run build` first): a kill -9'd owner, two daemons racing, a PATH without redis-server.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { deadPort, serversMatching } from "./helpers.js";
import { ensureRedis } from "../../src/daemon/embedded-redis.js";
import { waitFor } from "../helpers/redis.js";

const FIXTURE = new URL("./fixtures/embedded-owner.mjs", import.meta.url).pathname;

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<number | null>;
}

const children: ChildProcess[] = [];
const folders: string[] = [];

function run(args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const child = spawn(process.execPath, [FIXTURE, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const r: Run = { child, stdout: "", stderr: "", exit: new Promise((res) => child.once("exit", (code) => res(code))) };
  child.stdout!.on("data", (d: Buffer) => (r.stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (r.stderr += d.toString()));
  return r;
}

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "hs-embp-"));
  folders.push(dir);
  return dir;
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  const leftovers = folders.flatMap((dir) => serversMatching(join(dir, ".scheduler")));
  for (const pid of leftovers) process.kill(pid, "SIGKILL");
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
  expect(leftovers, "redis-server processes left running").toEqual([]);
});

describe("embedded Redis across processes", () => {
  it("a server left by a kill -9'd owner is reused by the next daemon, which as last owner stops it", async () => {
    const cwd = folder();
    const probe = await deadPort();
    const owner = run([cwd, probe]);
    const line = await waitFor(() => owner.stdout.split("\n")[0] || (owner.stderr && Promise.reject(new Error(owner.stderr))), 10_000);
    const first = JSON.parse(line) as { url: string; pid: number; started: boolean };
    expect(first.started).toBe(true);
    owner.child.kill("SIGKILL");
    await owner.exit;
    expect(readdirSync(join(cwd, ".scheduler", "redis", "owners"))).toHaveLength(1); // the dead owner's file

    const next = await ensureRedis({ cwd, probeUrl: probe });
    expect(next).toMatchObject({ url: first.url, pid: first.pid, started: false });
    await next.stop(); // the dead owner does not count: this was the last one
    await waitFor(() => serversMatching(first.url.replace("unix://", "")).length === 0, 5000);
    expect(readdirSync(join(cwd, ".scheduler", "redis", "owners"))).toEqual([]);
  });

  it("two daemon processes starting together share one server; it stops when both have left", async () => {
    const cwd = folder();
    const probe = await deadPort();
    const a = run([cwd, probe]);
    const b = run([cwd, probe]);
    const lines = await waitFor(() => (a.stdout.includes("\n") && b.stdout.includes("\n") ? [a.stdout, b.stdout] : null), 10_000);
    const [ra, rb] = lines!.map((l) => JSON.parse(l) as { pid: number; started: boolean; url: string });
    expect(ra!.pid).toBe(rb!.pid);
    expect([ra!.started, rb!.started].sort()).toEqual([false, true]);
    const socket = ra!.url.replace("unix://", "");
    expect(serversMatching(socket)).toEqual([ra!.pid]);

    // A third process joins and leaves at once: two owners remain, the server stays.
    const c = run([cwd, probe, "stop"]);
    expect(await c.exit).toBe(0);
    expect(serversMatching(socket)).toEqual([ra!.pid]);

    a.child.kill("SIGKILL");
    b.child.kill("SIGKILL");
    await Promise.all([a.exit, b.exit]);
    const last = await ensureRedis({ cwd, probeUrl: probe });
    await last.stop();
    await waitFor(() => serversMatching(socket).length === 0, 5000);
  });

  it("with redis-server missing from PATH, exits 1 with the install command", async () => {
    const cwd = folder();
    const r = run([cwd, await deadPort()], { PATH: "/nonexistent" });
    expect(await r.exit).toBe(1);
    expect(r.stderr).toContain("redis-server is not on PATH");
    expect(r.stderr).toContain("apt-get install redis-server");
    expect(r.stderr).toContain("brew install redis");
  });
});
