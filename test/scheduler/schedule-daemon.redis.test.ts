/**
 * The per-schedule controls in a real daemon (`scheduler start`, real workers, real Redis): a
 * per-second task that always fails pauses itself after pauseOnFailure runs, the failure
 * handler is told, list shows the last outcome; a task that never finishes in time misses its
 * deadline once per slot (event, handler) and doctor reports it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readPauses } from "../../src/scheduler/schedule-pause.js";
import { readOutcomes } from "../../src/scheduler/outcome.js";
import { scheduleKeys } from "../../src/redis/schedule-keys.js";
import { runCli, spawnCli } from "../helpers/spawn.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { cleanupApps, makeApp } from "../hooks/app-fixture.js";

let t: TestRedis;
let app: string;
let daemon: ChildProcess | undefined;

const HOOKS = `export default {
  scheduler_events: {
    cron: {
      "* * * * * *": [{ method: "app.tasks.flaky", pauseOnFailure: 3 }],
      "*/2 * * * * *": [{ method: "app.tasks.slow", deadline: 1, overlap: "allow" }],
    },
  },
  job_failure_handlers: ["app.alerts.record"],
  timezone: "UTC",
  queues: { default: { timeout: 30, workers: 1, concurrency: 4 } },
};
`;
const TASKS = `import { appendFileSync } from "node:fs";
export async function flaky() {
  appendFileSync(process.env.RUNS_FILE, "flaky\\n");
  throw new Error("vendor said no");
}
export async function slow() { await new Promise((r) => setTimeout(r, 4000)); }
`;
const ALERTS = `import { appendFileSync } from "node:fs";
export async function record(failure) {
  appendFileSync(process.env.ALERTS_FILE, JSON.stringify({ id: failure.job.id, task: failure.job.task, error: failure.error.name, paused: failure.schedulePaused ?? null }) + "\\n");
}
`;
const FLAKY = "cron:* * * * * *|app.tasks.flaky";
const SLOW = "cron:*/2 * * * * *|app.tasks.slow";

beforeAll(async () => {
  t = await testRedis("schedule-daemon");
  app = await makeApp({ "hooks.ts": HOOKS, "app/tasks.ts": TASKS, "app/alerts.ts": ALERTS });
});
afterEach(() => {
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) daemon.kill("SIGKILL");
});
afterAll(async () => {
  await t.cleanup();
  await cleanupApps();
});

const lines = (file: string): string[] => {
  try {
    return readFileSync(file, "utf8").trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

describe("per-schedule controls in a running daemon", () => {
  it("pauseOnFailure stops a failing schedule and tells the handlers; deadlines are reported once per slot", async () => {
    const runs = join(app, "runs.txt");
    const alerts = join(app, "alerts.txt");
    daemon = spawnCli(["start", "--json", "--redis", t.url, "--prefix", t.prefix], { cwd: app, env: { RUNS_FILE: runs, ALERTS_FILE: alerts } });
    let output = "";
    daemon.stdout!.on("data", (d) => (output += d));
    daemon.stderr!.on("data", (d) => (output += d));

    const pause = await waitFor(async () => (await readPauses(t.redis, t.keys, [FLAKY]))[0], 30_000).catch((e: unknown) => {
      throw new Error(`${String(e)}; daemon output:\n${output}`);
    });
    expect(pause).toMatchObject({ cause: "failures", by: "pauseOnFailure" });
    expect(pause!.note).toMatch(/^paused after 3 consecutive failed runs; last failed job \S+: vendor said no$/);
    const ranWhenPaused = lines(runs).length;
    expect(ranWhenPaused).toBe(3);

    // the handler heard of the pausing failure, with the note
    await waitFor(() => lines(alerts).some((l) => JSON.parse(l).paused !== null), 10_000);
    const told = lines(alerts).map((l) => JSON.parse(l) as { id: string; task: string; error: string; paused: string | null });
    expect(told.filter((a) => a.task === FLAKY && a.paused === pause!.note)).toHaveLength(1);
    expect((await readOutcomes(t.redis, t.keys, [FLAKY]))[0]).toMatchObject({ status: "failed", jobId: pause!.jobId, error: "vendor said no" });

    // deadline 1 s on a 4 s task every 2 s: slots miss, each reported once (event + handler)
    await waitFor(async () => (await t.redis.hget(scheduleKeys(t.keys).deadline(), SLOW)) !== null, 20_000);
    await waitFor(() => lines(alerts).some((l) => JSON.parse(l).error === "DeadlineMissedError"), 10_000);
    const doctor = await runCli(["doctor", "--redis", t.url, "--prefix", t.prefix], { cwd: app });
    expect(doctor.stdout).toMatch(new RegExp(`${SLOW.replace(/[*|.]/g, "\\$&")}: the run of slot .* missed its deadline`));
    expect(doctor.stdout).toMatch(/cron:\* \* \* \* \* \*\|app\.tasks\.flaky is paused \(by pauseOnFailure/);

    const list = await runCli(["list", "--redis", t.url, "--prefix", t.prefix], { cwd: app });
    expect(list.stdout).toMatch(/app\.tasks\.flaky\s+\* \* \* \* \* \*\s+default\s+\S+ \S+ failed after \d+ ms: vendor said no\s+PAUSED/);

    daemon.kill("SIGTERM");
    await new Promise((r) => daemon!.once("exit", r));
    // paused: no run after the pause (a slot in flight when it paused may have been enqueued)
    expect(lines(runs).length).toBeLessThanOrEqual(ranWhenPaused + 1);
    const events = (await t.redis.xrange(t.keys.events(), "-", "+")).map(([, f]) => JSON.parse(f[1]!) as { type: string; data?: { slot?: number } });
    const missed = events.filter((e) => e.type === "schedule.deadline_missed").map((e) => e.data!.slot!);
    expect(missed.length).toBeGreaterThanOrEqual(1);
    expect(new Set(missed).size).toBe(missed.length);
    const deadlineAlerts = lines(alerts).map((l) => JSON.parse(l) as { id: string; error: string }).filter((a) => a.error === "DeadlineMissedError");
    expect(new Set(deadlineAlerts.map((a) => a.id)).size).toBe(deadlineAlerts.length);
  }, 90_000);
});
