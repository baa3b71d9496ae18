/**
 * `scheduler logs` as a real process (bin/scheduler.js over dist/: run `npm run build` first)
 * against events appended to the test database.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { freePort } from "../../src/base/free-port.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureRedis } from "../../src/daemon/embedded-redis.js";
import { appendEvent, type SchedulerEvent } from "../../src/log/events.js";
import { createKeys } from "../../src/redis/keys.js";
import { Redis } from "ioredis";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";

const BIN = new URL("../../bin/scheduler.js", import.meta.url).pathname;
let t: TestRedis;
const children: ChildProcess[] = [];

beforeAll(async () => {
  t = await testRedis("logs-cli");
});
afterAll(async () => {
  await t.cleanup();
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

interface Proc {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
}

function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Proc {
  const env = { ...process.env, ...options.env };
  delete env.REDIS_URL;
  delete env.SCHEDULER_PREFIX;
  const child = spawn(process.execPath, [BIN, "logs", ...args], { cwd: options.cwd ?? tmpdir(), env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  return { child, out: () => out, err: () => err, exit: new Promise((r) => child.once("exit", (code) => r(code))) };
}

const ev = (over: Partial<SchedulerEvent>): SchedulerEvent => ({ type: "job.started", level: "info", at: Date.now(), msg: "m", ...over });
const jsonLines = (text: string) => text.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as SchedulerEvent & { id: string });

describe("scheduler logs", () => {
  it("--json prints the filtered history as JSON lines and exits 0", async () => {
    const { redis, keys, url, prefix } = t;
    await appendEvent(redis, keys, ev({ msg: "a", jobId: "j1", queue: "short", level: "info" }));
    await appendEvent(redis, keys, ev({ msg: "b", jobId: "j2", queue: "long", level: "error", type: "job.failed" }));
    await appendEvent(redis, keys, ev({ msg: "c", jobId: "j1", queue: "short", level: "warn", type: "job.retry_scheduled" }));

    // Three processes at once: each spends most of its time starting node.
    const all = cli(["--redis", url, "--prefix", prefix, "--json"]);
    const filtered = cli(["--redis", url, "--prefix", prefix, "--json", "--job", "j1", "--level", "warn"]);
    const last = cli(["--redis", url, "--prefix", prefix, "--json", "-n", "1", "--since", "1h"]);
    // the type's old name (renamed in docs/events.md) still matches, for one release
    const byType = cli(["--redis", url, "--prefix", prefix, "--json", "--event", "job.retry"]);
    expect(await Promise.all([all.exit, filtered.exit, last.exit, byType.exit])).toEqual([0, 0, 0, 0]);
    expect(jsonLines(all.out()).map((e) => e.msg)).toEqual(["a", "b", "c"]);
    expect(jsonLines(filtered.out())).toMatchObject([{ msg: "c", type: "job.retry_scheduled", jobId: "j1", queue: "short" }]);
    expect(jsonLines(last.out()).map((e) => e.msg)).toEqual(["c"]);
    expect(jsonLines(byType.out()).map((e) => e.msg)).toEqual(["c"]);
  });

  it("prints human lines (time with its zone named, level, type, queue, job, message) and progress as lines off a TTY", async () => {
    const { redis, keys, url, prefix } = t;
    await appendEvent(redis, keys, ev({ type: "job.progress", jobId: "jp", queue: "long", msg: "", data: { percent: 45, title: "Import", description: "45 of 100" } }));
    const p = cli(["--redis", url, "--prefix", prefix, "--job", "jp"]);
    expect(await p.exit).toBe(0);
    expect(p.out().trim()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \S+ {2}INFO {3}job\.progress {4}long {6}jp {2}45% Import: 45 of 100$/);
  });

  it("-f sees a new event within a second and exits 0 on SIGINT", async () => {
    const { redis, keys, url, prefix } = t;
    await appendEvent(redis, keys, ev({ msg: "history", queue: "follow-q" }));
    const f = cli(["--redis", url, "--prefix", prefix, "--json", "-f", "--queue", "follow-q"]);
    let exited = false;
    void f.exit.then(() => (exited = true));
    await waitFor(() => {
      if (exited) throw new Error(`logs -f exited early: ${f.err()}`);
      return f.out().includes('"history"');
    }, 10_000);
    await appendEvent(redis, keys, ev({ msg: "other queue", queue: "elsewhere" }));
    const written = performance.now();
    await appendEvent(redis, keys, ev({ msg: "live", queue: "follow-q" }));
    await waitFor(() => f.out().includes('"live"'), 1000);
    const latency = performance.now() - written;
    expect(latency).toBeLessThan(1000);
    const interrupted = performance.now();
    f.child.kill("SIGINT");
    expect(await f.exit).toBe(0);
    expect(performance.now() - interrupted).toBeLessThan(1500); // no lingering connection timers
    expect(jsonLines(f.out()).map((e) => e.msg)).toEqual(["history", "live"]);
    expect(f.err()).toBe("");
  });

  it("names the URL and exits 1 when Redis does not answer; rejects bad arguments before connecting (exit 2)", async () => {
    const port = await freePort();
    const down = cli(["--redis", `redis://127.0.0.1:${port}`]);
    const bad = cli(["--redis", `redis://127.0.0.1:${port}`, "--since", "ten minutes"]);
    expect(await Promise.all([down.exit, bad.exit])).toEqual([1, 2]);
    expect(down.err()).toContain(`cannot reach Redis at redis://127.0.0.1:${port}`);
    expect(bad.err().trim()).toMatch(/^scheduler: --since "ten minutes" is not a duration/);
  });

  it("takes Redis URL and prefix from the folder's hooks file", async () => {
    const { redis, keys, url, prefix } = t;
    const cwd = mkdtempSync(join(tmpdir(), "hs-logs-hooks-"));
    try {
      writeFileSync(join(cwd, "hooks.ts"), `export default { scheduler_events: {}, redis: ${JSON.stringify(url)}, prefix: ${JSON.stringify(prefix)} };\n`);
      await appendEvent(redis, keys, ev({ msg: "via hooks", jobId: "hooks-job" }));
      const p = cli(["--json", "--job", "hooks-job"], { cwd });
      expect(await p.exit, p.err()).toBe(0);
      expect(jsonLines(p.out()).map((e) => e.msg)).toEqual(["via hooks"]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("finds this folder's embedded Redis when nothing is configured", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "hs-logs-emb-"));
    const handle = await ensureRedis({ cwd, probeUrl: "redis://127.0.0.1:1" });
    try {
      const redis = new Redis(handle.url);
      await appendEvent(redis, createKeys("hs"), ev({ msg: "from the embedded server" }));
      redis.disconnect();
      const p = cli(["--json"], { cwd });
      expect(await p.exit).toBe(0);
      expect(jsonLines(p.out()).map((e) => e.msg)).toEqual(["from the embedded server"]);
    } finally {
      await handle.stop();
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
