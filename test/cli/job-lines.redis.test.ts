/**
 * The daemon's line per job outcome (`scheduler worker`, spawned as a real process over dist/:
 * run `npm run build` first): JSON records off a terminal, one human line each on a terminal,
 * with time and zone, queue, task, short id, duration, outcome, and for a failure the error's
 * first line and the app's stack frames; retried and timed-out jobs too; --job-lines quiets
 * the finished ones.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type QueueEnv } from "../../src/queue/context.js";
import { DEFAULT_RETENTION } from "../../src/config/defaults.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import type { Job } from "../../src/queue/types.js";
import { formatMs } from "../../src/worker/supervisor/job-lines.js";
import { capture, runCli, spawnCliOnTty } from "../helpers/spawn.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";

const HOOKS = "test/cli/fixtures/lines-app/hooks.ts";
let t: TestRedis;
let env: QueueEnv;

beforeAll(async () => {
  t = await testRedis("cli-job-lines");
  env = { redis: t.redis, keys: t.keys, clock: () => Date.now(), queues: { default: { timeout: 60, workers: 1, concurrency: 1 } }, retention: DEFAULT_RETENTION };
});
afterAll(async () => {
  await t.cleanup();
});

const enqueue = async (method: string, options: Record<string, unknown> = {}) => (await enqueueWith(env, `lines_app.tasks.${method}`, { queue: "default", ...options })) as Job;
const workerArgs = (...more: string[]) => ["worker", "--burst", "--queue", "default", "--hooks", HOOKS, "--redis", t.url, "--prefix", t.prefix, ...more];

interface JobRecord {
  kind: string;
  outcome: string;
  jobId: string;
  queue: string;
  task: string;
  ms: number;
  msg: string;
  error?: string;
  frames?: string[];
}

describe("the daemon's job lines", () => {
  it("prints a JSON record per outcome off a terminal: finished, failed with frames, retry, timed out", { timeout: 180_000 }, async () => {
    const ok = await enqueue("ok");
    const boom = await enqueue("boom");
    const retried = await enqueue("boom", { retry: { max: 1, backoff: "fixed", delay: 0 } });
    // Only the hang job has the short timeout: the others' first run loads the task module,
    // which can take over a second on a loaded machine.
    const hang = await enqueue("hang", { timeout: 1 });
    const r = await runCli(workerArgs(), { env: { REDIS_URL: "", SCHEDULER_PREFIX: "" }, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const records = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as JobRecord)
      .filter((rec) => rec.kind === "job");
    const of = (id: string) => records.filter((rec) => rec.jobId === id).map((rec) => rec.outcome);
    expect(of(ok.id)).toEqual(["finished"]);
    expect(of(boom.id)).toEqual(["failed"]);
    expect(of(retried.id)).toEqual(["retry-scheduled", "failed"]);
    expect(of(hang.id)).toEqual(["timed-out"]);

    const finished = records.find((rec) => rec.jobId === ok.id)!;
    expect(finished).toMatchObject({ queue: "default", task: "lines_app.tasks.ok" });
    expect(finished.msg).toMatch(new RegExp(`^finished +default +lines_app\\.tasks\\.ok  ${ok.id.slice(0, 8)}  ${formatMs(finished.ms).replace(".", "\\.")}$`));
    const failed = records.find((rec) => rec.jobId === boom.id)!;
    expect(failed.error).toBe("TypeError: boom: bad input");
    expect(failed.frames?.[0]).toMatch(/^at boom \(lines_app\/tasks\.ts:\d+:\d+\)$/);
    expect(failed.frames!.join("\n")).not.toMatch(/node_modules|node:|\/dist\//);
    const timedOut = records.find((rec) => rec.jobId === hang.id)!;
    expect(timedOut.msg).toMatch(/^timed out +default +lines_app\.tasks\.hang .* timed out after 1 s/);
    expect(timedOut.ms).toBeGreaterThanOrEqual(1000);
  });

  it("on a terminal: one line per job with the zone named and frames indented; --job-lines failures drops finished lines", { timeout: 180_000 }, async () => {
    const ok = await enqueue("ok");
    const boom = await enqueue("boom");
    const child = spawnCliOnTty(workerArgs("--job-lines", "failures"), { env: { REDIS_URL: "", SCHEDULER_PREFIX: "" } });
    const out = capture(child);
    const code = await Promise.race([out.closed, new Promise((r) => setTimeout(() => r("timeout"), 120_000))]);
    if (code === "timeout") child.kill("SIGKILL");
    expect(code).toBe(0);
    const text = out.stdout().replace(/\r/g, "");
    expect(text).not.toContain(ok.id.slice(0, 8));
    // Europe/Berlin is CET or CEST (GMT+1 or GMT+2 where ICU has no abbreviation), by the date.
    const line = new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} (CES?T|GMT\\+[12])  ERROR  job        failed     default   lines_app\\.tasks\\.boom  ${boom.id.slice(0, 8)}  \\d+ ms  TypeError: boom: bad input\\n {6}at boom \\(lines_app/tasks\\.ts:\\d+:\\d+\\)$`, "m");
    expect(text).toMatch(line);
    // No multi-line metadata dumps: every record is one line (only frames are indented).
    for (const l of text.split("\n").filter(Boolean)) expect(l).toMatch(/^(\d{4}-\d\d-\d\d |\s{6}at )/);
  });

  it("a bad --job-lines is a usage error naming the flag", { timeout: 180_000 }, async () => {
    const r = await runCli(workerArgs("--job-lines", "some"), { env: { REDIS_URL: "", SCHEDULER_PREFIX: "" } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('scheduler: --job-lines: "some" is not one of all, failures, none (e.g. --job-lines failures to quiet the finished lines)');
  });

  it("Ctrl-C while a job runs names the job, how long at most, and that a second Ctrl-C requeues it", { timeout: 180_000 }, async () => {
    const job = await enqueue("wait", { kwargs: { ms: 20_000 }, timeout: 60 });
    const child = spawnCliOnTty(["worker", "--queue", "default", "--hooks", HOOKS, "--redis", t.url, "--prefix", t.prefix], { env: { REDIS_URL: "", SCHEDULER_PREFIX: "" } });
    const out = capture(child);
    await waitFor(async () => (await t.redis.hget(t.keys.job(job.id, t.keys.jobTag("default")), "status")) === "started", 90_000);
    // The supervisor learns of the running job with the child's next pulse.
    await waitFor(() => out.stdout().includes("worker up"), 10_000);
    await new Promise((r) => setTimeout(r, 500));
    child.stdin!.write("\x03");
    await waitFor(() => out.stdout().includes("again requeues"), 10_000);
    const text = out.stdout().replace(/\r/g, "");
    expect(text).toMatch(new RegExp(`SIGINT: stopping; waiting at most \\d+(\\.\\d+)? s for 1 running job: default lines_app\\.tasks\\.wait ${job.id.slice(0, 8)} \\(running [\\d.]+ (ms|s), at most [\\d.]+ s more\\)\\. Ctrl-C again requeues it and stops now`));
    child.stdin!.write("\x03");
    const code = await Promise.race([out.closed, new Promise((r) => setTimeout(() => r("timeout"), 20_000))]);
    if (code === "timeout") child.kill("SIGKILL");
    expect(code).toBe(0);
    expect(await t.redis.hget(t.keys.job(job.id, t.keys.jobTag("default")), "status")).toBe("queued");
  });
});
