/**
 * `scheduler start` and `scheduler reload` as real processes (over dist/: run `npm run build`
 * first): where the daemon writes its log (--log-file, --no-log-file), reload waiting for the
 * daemon's answer and printing what changed, the change recorded in the event stream, and the
 * old workers serving until their successors are ready.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type QueueEnv } from "../../src/queue/context.js";
import { DEFAULT_RETENTION } from "../../src/config/defaults.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import type { Job } from "../../src/queue/types.js";
import { readEvents } from "../../src/log/read-events.js";
import { capture, runCli, spawnCli, type Captured } from "../helpers/spawn.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";

let t: TestRedis;
let dir: string;
let env: QueueEnv;
const noEnv = { REDIS_URL: "", SCHEDULER_PREFIX: "" };
const started: ChildProcess[] = [];

const hooksText = (events: string) => `export default {
  scheduler_events: { ${events} },
  timezone: "Europe/Berlin",
  queues: { default: { timeout: 30 } },
};
`;

beforeAll(async () => {
  t = await testRedis("cli-daemon-reload");
  dir = mkdtempSync(join(tmpdir(), "hs-cli-reload-"));
  cpSync("test/cli/fixtures/lines-app/lines_app", join(dir, "lines_app"), { recursive: true });
  writeFileSync(join(dir, "hooks.ts"), hooksText(`daily: ["lines_app.tasks.ok"]`));
  env = { redis: t.redis, keys: t.keys, clock: () => Date.now(), queues: { default: { timeout: 30, workers: 1, concurrency: 1 } }, retention: DEFAULT_RETENTION };
});
afterAll(async () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function startDaemon(...more: string[]): { child: ChildProcess; out: Captured } {
  const child = spawnCli(["start", "--queue", "default", "--hooks", join(dir, "hooks.ts"), "--redis", t.url, "--prefix", t.prefix, ...more], { env: noEnv });
  started.push(child);
  return { child, out: capture(child) };
}

async function stop(d: { child: ChildProcess; out: Captured }): Promise<number | null> {
  d.child.kill("SIGTERM");
  return Promise.race([d.out.closed, new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
}

const runOn = async (method: string) => {
  const job = (await enqueueWith(env, `lines_app.tasks.${method}`, { queue: "default" })) as Job;
  return waitFor(async () => {
    const [status, worker] = await t.redis.hmget(t.keys.job(job.id, t.keys.jobTag("default")), "status", "worker");
    return status === "finished" ? worker! : undefined;
  }, 90_000);
};

describe("daemon log files and reload", () => {
  it("--log-file puts every line in that file; reload answers with what changed, records it, and keeps the old worker serving until its successor is ready", { timeout: 180_000 }, async () => {
    const logFile = join(dir, "custom", "daemon.log");
    const d = startDaemon("--log-file", logFile);
    await waitFor(() => d.out.stdout().includes("worker up"), 90_000);
    const oldWorker = await runOn("ok");

    writeFileSync(join(dir, "hooks.ts"), hooksText(`daily: ["lines_app.tasks.ok"], hourly: ["lines_app.tasks.wait"]`));
    const r = await runCli(["reload", "--redis", t.url, "--prefix", t.prefix], { env: noEnv, timeoutMs: 90_000 });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\S+:\d+: 2 tasks; 1 added, 0 removed, 0 changed; 1 worker process replaced\n  \+ hourly\|lines_app\.tasks\.wait\n$/);
    // The reply comes once the new worker is forked, before it has loaded the app: a job
    // enqueued now is served by the old one, which stops only when its successor is ready.
    const during = await runOn("ok");
    expect(during).toBe(oldWorker);
    await waitFor(() => (d.out.stdout().match(/worker up/g) ?? []).length >= 2, 90_000);
    const after = await runOn("ok");
    expect(after).not.toBe(oldWorker);

    const [reloaded] = await readEvents(t.redis, t.keys, { filter: { type: "scheduler.reloaded" } });
    expect(reloaded?.msg).toMatch(/\(scheduler reload\): 2 tasks; 1 added, 0 removed, 0 changed/);
    expect(reloaded?.data).toMatchObject({ ok: true, added: ["hourly|lines_app.tasks.wait"] });

    // A broken edit: refused, said so, exit 1, and the JSON form says it too.
    writeFileSync(join(dir, "hooks.ts"), hooksText(`daily: ["lines_app.tasks.nope"]`));
    const bad = await runCli(["reload", "--redis", t.url, "--prefix", t.prefix, "--json"], { env: noEnv, timeoutMs: 90_000 });
    expect(bad.code).toBe(1);
    const answer = JSON.parse(bad.stdout) as { received: number; replies: Array<{ ok: boolean; error: string }> };
    expect(answer.received).toBe(1);
    expect(answer.replies[0]).toMatchObject({ ok: false });
    expect(answer.replies[0]!.error).toContain("lines_app.tasks.nope");

    expect(await stop(d)).toBe(0);
    const logged = readFileSync(logFile, "utf8");
    expect(logged).toContain('"msg":"worker up"');
    expect(logged).toContain("reload (scheduler reload)");
    expect(logged).toContain('"kind":"job"');
    expect(existsSync(join(dir, "logs"))).toBe(false);
    writeFileSync(join(dir, "hooks.ts"), hooksText(`daily: ["lines_app.tasks.ok"]`));
  });

  it("--no-log-file writes no file: the console only", { timeout: 180_000 }, async () => {
    const d = startDaemon("--no-log-file");
    await waitFor(() => d.out.stdout().includes("worker up"), 90_000);
    await runOn("ok");
    expect(await stop(d)).toBe(0);
    expect(d.out.stdout()).toContain('"kind":"job"');
    expect(existsSync(join(dir, "logs"))).toBe(false);
  });

  it("by default writes logs/scheduler.log and logs/worker.log beside the hooks file", { timeout: 180_000 }, async () => {
    const d = startDaemon();
    await waitFor(() => d.out.stdout().includes("worker up"), 90_000);
    await runOn("ok");
    expect(await stop(d)).toBe(0);
    expect(readFileSync(join(dir, "logs", "scheduler.log"), "utf8")).toContain('"name":"scheduler"');
    expect(readFileSync(join(dir, "logs", "worker.log"), "utf8")).toContain('"kind":"job"');
    rmSync(join(dir, "logs"), { recursive: true, force: true });
  });
});
