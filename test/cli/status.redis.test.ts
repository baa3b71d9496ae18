/** `scheduler status` as a real process: tables, --json, --watch, and its error paths. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { touchWorker } from "../../src/worker/supervisor/worker-records.js";
import { setSwitch } from "../../src/scheduler/switches.js";
import { capture, runCli, spawnCli, spawnCliOnTty } from "../helpers/spawn.js";
import { waitFor } from "../helpers/redis.js";
import { cleanupApps, makeApp } from "../hooks/app-fixture.js";
import { seeder, type Seeder } from "../ops/fixture.js";

let s: Seeder;

beforeAll(async () => {
  s = await seeder("cli-status");
  await s.queued("app.tasks.a", { queue: "short" });
  await s.queued("app.tasks.a", { queue: "short" });
  await s.failed("app.tasks.b");
  await s.finished("app.tasks.c", { queue: "long" });
  const now = Date.now();
  // A worker entry as the supervisor writes it (TTL long enough for the test).
  await touchWorker(
    s.env,
    { name: "box:101:short,default:0", host: "box", pid: 101, supervisorPid: 100, queues: ["short", "default"], group: "short,default", startedAt: now - 125_000 },
    { currentJobs: [], done: 7, failed: 2, state: "idle" },
    60_000,
  );
  await s.t.redis.set(s.t.keys.schedulerLeader(), "box:100:abc", "PX", 60_000);
  await setSwitch(s.env, "disable", "status-test");
});
afterAll(async () => {
  await s.t.cleanup();
  await cleanupApps();
});

describe.concurrent("scheduler status (process)", () => {
  it("prints queues, workers, scheduler and Redis as aligned sections", async () => {
    const r = await runCli(["status", ...s.flags], { cwd: "/" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^Queues\n {2}QUEUE +PENDING +STARTED +SCHEDULED +FAILED +FINISHED +CANCELED/);
    expect(out).toMatch(/^ {2}short +2 +0 +0 +0 +0 +0/m);
    expect(out).toMatch(/^ {2}default +0 +0 +0 +1 +0 +0/m);
    expect(out).toMatch(/^ {2}long +0 +0 +0 +0 +1 +0/m);
    expect(out).toContain("Workers (1)");
    expect(out).toMatch(/^ {2}box:101:short,default:0 +box +101 +short,default +idle +- +7 +2 +- +2m \d+s +\d+(\.\d)?(ms|s) ago$/m);
    expect(out).toMatch(/^ {2}leader: +box:100:abc \(lease \d+(\.\d)?s left\)$/m);
    expect(out).toMatch(/^ {2}state: +disabled \(since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, by status-test\)$/m);
    expect(out).toMatch(/^ {2}last tick: +not recorded$/m);
    expect(out).toMatch(new RegExp(`^ {2}url: +${s.t.url.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`, "m"));
    expect(out).toMatch(/^ {2}version: +\d+\.\d+\.\d+/m);
    expect(out).toMatch(/^ {2}memory: +[\d.]+[BKMG] used/m);
    expect(out).toMatch(/^ {2}persistence: +AOF (on|off|unknown), RDB /m);
  });

  it("FORCE_COLOR: failed counts above 0 in red, the zeros and the alignment as without colour", async () => {
    const r = await runCli(["status", ...s.flags], { cwd: "/", env: { FORCE_COLOR: "1", NO_COLOR: "" } });
    expect(r.code).toBe(0);
    const red = (text: string) => `\x1b[31m${text}\x1b[0m`;
    // Queue "default" has one failed job, the worker two; nothing else is red.
    expect(r.stdout).toMatch(new RegExp(`^ {2}default +0 +0 +0 +${red("1").replace(/\[/g, "\\[")} +0 +0`, "m"));
    expect(r.stdout).toMatch(new RegExp(`${red("2").replace(/\[/g, "\\[")} +- +2m`));
    expect(r.stdout.split("\x1b[31m").length - 1).toBe(2);
    // Without the escape codes, the same text as a run without colour (times masked, and the
    // runs of spaces, which follow the widths of those times).
    const plain = await runCli(["status", ...s.flags], { cwd: "/" });
    // On a cluster the masters' lines hold memory and key counts other files move meanwhile.
    const strip = (t: string) => t.replace(/\x1b\[\d+m/g, "").replace(/^ *\d+\.\d+\.\d+\.\d+:\d+ .*$/gm, "~master").replace(/\d+m \d+s|\d+(\.\d)?(ms|s) ago|lease \d+(\.\d)?s left|\d+(\.\d+)?[BKMG] used/g, "~").replace(/ +/g, " ");
    expect(strip(r.stdout)).toBe(strip(plain.stdout));
  });

  it("NO_COLOR wins over FORCE_COLOR, and a TTY alone colours", async () => {
    const off = await runCli(["status", ...s.flags], { cwd: "/", env: { FORCE_COLOR: "1", NO_COLOR: "1" } });
    expect(off.code).toBe(0);
    expect(off.stdout).not.toContain("\x1b[");
    const child = spawnCliOnTty(["status", ...s.flags], { cwd: "/", env: { FORCE_COLOR: undefined, NO_COLOR: undefined } });
    const { stdout, closed } = capture(child);
    expect(await closed).toBe(0);
    expect(stdout()).toContain("\x1b[31m1\x1b[0m");
  });

  it("--json is the same report as data", async () => {
    const r = await runCli(["status", "--json", ...s.flags], { cwd: "/" });
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as {
      url: string;
      prefix: string;
      queues: Record<string, { pending: number; failed: number }>;
      workers: Array<{ name: string; pid: number; done: number }>;
      scheduler: { leader?: string };
      redis: { version: string; aof: boolean };
    };
    expect(data.url).toBe(s.t.url);
    expect(data.prefix).toBe(s.t.prefix);
    expect((data as { keyLayout?: string }).keyLayout).toBe(s.t.keys.jobTags);
    expect(data.queues.short?.pending).toBe(2);
    expect(data.queues.default?.failed).toBe(1);
    expect(data.workers).toEqual([expect.objectContaining({ name: "box:101:short,default:0", pid: 101, done: 7 })]);
    expect(data.scheduler.leader).toBe("box:100:abc");
    expect(data.redis.version).toMatch(/^\d+\./);
  });

  it("--watch without a TTY prints repeated plain blocks every 2 s and exits 0 on SIGINT", async () => {
    const child = spawnCli(["status", "--watch", ...s.flags], { cwd: "/" });
    const { stdout, closed } = capture(child);
    try {
      await waitFor(() => stdout().split("Queues\n").length - 1 >= 2, 15_000);
      child.kill("SIGINT");
      expect(await closed).toBe(0);
      expect(stdout()).not.toContain("\x1b[");
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("--watch on a TTY redraws in place (cursor home + clear) and Ctrl-C exits 0", async () => {
    const child = spawnCliOnTty(["status", "--watch", ...s.flags], { cwd: "/" });
    const { stdout, closed } = capture(child);
    try {
      await waitFor(() => stdout().split("\x1b[H\x1b[2J").length - 1 >= 2, 15_000);
      child.stdin!.write("\x03");
      expect(await closed).toBe(0);
      expect(stdout()).toMatch(/\x1b\[H\x1b\[2JQueues\r?\n/);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("Redis down: exit 1, one line naming the URL", async () => {
    const r = await runCli(["status", "--redis", "redis://127.0.0.1:1", "--prefix", s.t.prefix], { cwd: "/" });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^scheduler: cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/?: .*\n$/);
  });

  it("a broken hooks file named with --hooks: exit 1 naming it", async () => {
    const app = await makeApp({ "hooks.ts": "export default { scheduler_events: { nightly: ['app.tasks.a'] } };\n" });
    const r = await runCli(["status", "--hooks", "hooks.ts", "--redis", s.t.url], { cwd: app });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^scheduler: .*hooks\.ts.*nightly/);
  });
});
