/** `scheduler jobs` (list, show, retry, cancel) as real processes against real Redis. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../../src/queue/types.js";
import { getJobWith } from "../../src/queue/registry.js";
import { runCli } from "../helpers/spawn.js";
import { cleanupApps, makeApp } from "../hooks/app-fixture.js";
import { seeder, WORKER, type Seeder } from "../ops/fixture.js";

let s: Seeder;
const seeded: Record<string, Job> = {};

beforeAll(async () => {
  s = await seeder("cli-jobs");
  // every status, each in its own queue slot order (started/finished/failed lease at once)
  seeded.started = await s.started("app.tasks.slow", { queue: "long" });
  seeded.failed = await s.failed("app.tasks.broken", { error: new RangeError("value out of range: 42") });
  seeded.finished = await s.finished("app.tasks.fine");
  seeded.scheduled = await s.scheduled("app.tasks.later", { queue: "short" });
  seeded.queued = await s.queued("app.tasks.fine", { kwargs: { user: "ann", n: 2 } });
  seeded.toCancel = await s.queued("app.tasks.fine", { queue: "short", jobId: "cancel-me" });
  seeded.retryOne = await s.failed("app.tasks.broken", { queue: "short" });
  seeded.retryAll1 = await s.failed("app.tasks.broken", { queue: "short" });
});
afterAll(async () => {
  await s.t.cleanup();
  await cleanupApps();
});

const jobs = (args: string[]) => runCli(["jobs", ...args, ...s.flags], { cwd: "/" });

describe.concurrent("scheduler jobs (process)", () => {
  it("lists every job as an aligned table with status, queue, method, attempt, times and short error", async () => {
    const r = await jobs([]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const all = r.stdout.trimEnd().split("\n");
    // The last line names the zone of the time columns.
    expect(all.at(-1)).toMatch(/^\(times in \S+\)$/);
    const lines = all.slice(0, -1);
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+QUEUE\s+METHOD\s+ATTEMPT\s+ENQUEUED\s+STARTED\s+ENDED\s+ERROR$/);
    // columns line up: STATUS starts at the same offset in every row
    const at = lines[0]!.indexOf("STATUS");
    for (const l of lines.slice(1)) expect(l.slice(at)).toMatch(/^(queued|started|scheduled|failed|finished|canceled) /);
    const failedRow = lines.find((l) => l.startsWith(seeded.failed!.id));
    expect(failedRow).toMatch(/failed\s+default\s+app\.tasks\.broken\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d{4}-.*RangeError: value out of range: 42$/);
  });

  it("--status, --queue, --limit and --json filter and shape the list", async () => {
    const r = await jobs(["--status", "failed", "--queue", "default", "--json"]);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as Job[];
    expect(list.map((j) => j.id)).toEqual([seeded.failed!.id]);
    const pending = JSON.parse((await jobs(["--status", "pending", "--queue", "default", "--limit", "1", "--json"])).stdout) as Job[];
    expect(pending).toHaveLength(1);
    // default: the concurrent cancel test moves the queued job of "short"
    expect(pending[0]!.status).toBe("queued");
    expect(pending[0]!.id).toBe(seeded.queued!.id);
  });

  it("a bad --status is a usage error (exit 2); an unknown --queue is exit 1", async () => {
    const st = await jobs(["--status", "done"]);
    expect(st.code).toBe(2);
    expect(st.stderr).toContain('--status "done" is not a job status (use one of: queued, started, scheduled, deferred, failed, finished, canceled)');
    const q = await jobs(["--queue", "nowhere"]);
    expect(q.code).toBe(1);
    expect(q.stderr).toContain('no queue named "nowhere"');
  });

  it("show: kwargs, error with stack, attempts with worker/outcome/timings", async () => {
    const r = await jobs(["show", seeded.failed!.id]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^id: +${seeded.failed!.id}$`, "m"));
    expect(r.stdout).toMatch(/^status: +failed$/m);
    expect(r.stdout).toMatch(/^method: +app\.tasks\.broken$/m);
    expect(r.stdout).toMatch(/^ran: +\d/m);
    expect(r.stdout).toContain("error:\n  RangeError: value out of range: 42\n    at ");
    expect(r.stdout).toMatch(new RegExp(`attempts \\(1\\):\\n  #1  failed    worker ${WORKER}  started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  took \\d`));
    const q = await jobs(["show", seeded.queued!.id]);
    expect(q.stdout).toContain('kwargs:\n  {\n    "user": "ann",\n    "n": 2\n  }');
    expect(q.stdout).toContain("attempts (0):\n  none yet");
  });

  it("show --json gives job, attempts and links", async () => {
    const r = await jobs(["show", seeded.finished!.id, "--json"]);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as { job: Job; attempts: Array<{ outcome: string; worker: string }>; dependents: unknown[] };
    expect(d.job).toMatchObject({ id: seeded.finished!.id, status: "finished", result: { ok: true } });
    expect(d.attempts).toEqual([expect.objectContaining({ outcome: "finished", worker: WORKER })]);
    expect(d.dependents).toEqual([]);
  });

  it("show / cancel of an unknown id: exit 1 'no job with id X'", async () => {
    for (const args of [["show", "ghost-1"], ["cancel", "ghost-1"]]) {
      const r = await jobs(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(/^scheduler: no job with id ghost-1 /);
    }
  });

  it("cancel: a queued job is canceled; a running one is flagged for its worker to stop (exit 0)", async () => {
    const r = await jobs(["cancel", "cancel-me"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("canceled cancel-me\n");
    expect((await getJobWith(s.env, "cancel-me"))?.status).toBe("canceled");
    const running = await jobs(["cancel", seeded.started!.id]);
    expect(running.code).toBe(0);
    expect(running.stdout).toMatch(new RegExp(`^stopping ${seeded.started!.id}: it is running; its worker aborts its signal`));
    expect((await getJobWith(s.env, seeded.started!.id))?.status).toBe("started");
    const json = await jobs(["cancel", seeded.started!.id, "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({ stopping: seeded.started!.id });
  });

  it("retry ID requeues one failed job; retrying a finished job is refused", async () => {
    const r = await jobs(["retry", seeded.retryOne!.id]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`requeued ${seeded.retryOne!.id}\n`);
    expect((await getJobWith(s.env, seeded.retryOne!.id))?.status).toBe("queued");
    const done = await jobs(["retry", seeded.finished!.id]);
    expect(done.code).toBe(1);
    expect(done.stderr).toContain("only failed or canceled jobs can be requeued");
  });

  it("retry with both an id and --failed is a usage error", async () => {
    const both = await jobs(["retry", "x", "--failed"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("give a job id or --failed, not both");
  });
});

describe("scheduler jobs retry --failed (process)", () => {
  it("requeues every failed job of the named queue and reports how many", async () => {
    const extra = await s.failed("app.tasks.broken", { queue: "short" });
    const before = await s.t.redis.zrange(s.t.keys.failed("short"), 0, -1);
    expect(before).toContain(extra.id);
    const r = await jobs(["retry", "--failed", "--queue", "short"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`requeued ${before.length} failed job${before.length === 1 ? "" : "s"} of queue short\n`);
    expect(await s.t.redis.zcard(s.t.keys.failed("short"))).toBe(0);
    // the default queue's failed job was not touched
    expect((await getJobWith(s.env, seeded.failed!.id))?.status).toBe("failed");
  });

  it("Redis down: exit 1 naming the URL; bad hooks file named with --hooks: exit 1", async () => {
    const dead = await runCli(["jobs", "--redis", "redis://127.0.0.1:1", "--prefix", s.t.prefix]);
    expect(dead.code).toBe(1);
    expect(dead.stderr).toMatch(/^scheduler: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
    const app = await makeApp({ "hooks.ts": "export default { scheduler_events: { hourly: [42] } };\n" });
    const bad = await runCli(["jobs", "--hooks", "hooks.ts", "--redis", s.t.url], { cwd: app });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^scheduler: .*hooks\.ts/);
  });
});
