/**
 * Times, task filters and id prefixes on the CLI (spawned as a real process over dist/): one
 * zone everywhere, named in tables and log lines, --utc to switch; `logs --task` matching the
 * method of scheduled and enqueued jobs alike; `jobs show` taking a unique id prefix.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DateTime } from "luxon";
import { type QueueEnv } from "../../src/queue/context.js";
import { DEFAULT_RETENTION } from "../../src/config/defaults.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { enqueueScheduled } from "../../src/queue/enqueue-scheduled.js";
import type { Job } from "../../src/queue/types.js";
import { runCli } from "../helpers/spawn.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { jobHash } from "../helpers/job-reads.js";

const HOOKS = "test/cli/fixtures/zone-app/hooks.ts";
let t: TestRedis;
let env: QueueEnv;
let plain: Job;
let scheduled: Job;

beforeAll(async () => {
  t = await testRedis("cli-zones-ids");
  env = { redis: t.redis, keys: t.keys, clock: () => Date.now(), queues: { default: { timeout: 30, workers: 1, concurrency: 1 } }, retention: DEFAULT_RETENTION };
  plain = (await enqueueWith(env, "zone_app.tasks.report", { queue: "default", jobId: "abcd1234-one" })) as Job;
  await enqueueWith(env, "zone_app.tasks.other", { queue: "default", jobId: "abcd5678-two" });
  const fired = await enqueueScheduled(env, { task: "daily|zone_app.tasks.report", method: "zone_app.tasks.report", slot: Date.now(), queue: "default", kwargs: {}, catchup: false });
  if (fired.outcome !== "enqueued") throw new Error(`scheduled enqueue: ${fired.outcome}`);
  scheduled = fired.job;
});
afterAll(async () => {
  await t.cleanup();
});

const cli = (args: string[]) => runCli([...args, "--hooks", HOOKS, "--redis", t.url, "--prefix", t.prefix], { env: { REDIS_URL: "", SCHEDULER_PREFIX: "", TZ: "America/New_York" }, timeoutMs: 90_000 });

describe("zones, task filters, id prefixes", () => {
  it("jobs and logs show the same event in the configured zone, named; --utc switches both", { timeout: 180_000 }, async () => {
    const enqueuedAt = Number((await jobHash(t, plain.id)).enqueuedAt);
    const berlin = DateTime.fromMillis(enqueuedAt, { zone: "Europe/Berlin" }).toFormat("yyyy-LL-dd HH:mm:ss");
    const utc = DateTime.fromMillis(enqueuedAt, { zone: "UTC" }).toFormat("yyyy-LL-dd HH:mm:ss");
    const [jobs, logs, jobsUtc, logsUtc] = await Promise.all([
      cli(["jobs"]),
      cli(["logs", "--job", plain.id]),
      cli(["--utc", "jobs"]),
      cli(["logs", "--job", plain.id, "--utc"]),
    ]);
    expect(jobs.code).toBe(0);
    expect(jobs.stdout).toContain(berlin);
    expect(jobs.stdout.trimEnd().split("\n").at(-1)).toBe("(times in Europe/Berlin)");
    expect(logs.stdout).toMatch(new RegExp(`^${berlin}\\.\\d{3} (CES?T|GMT\\+[12])  INFO   job\\.enqueued`, "m"));
    expect(jobsUtc.stdout).toContain(utc);
    expect(jobsUtc.stdout.trimEnd().split("\n").at(-1)).toBe("(times in UTC)");
    expect(logsUtc.stdout).toMatch(new RegExp(`^${utc}\\.\\d{3} UTC  INFO   job\\.enqueued`, "m"));
  });

  it("logs --task <dotted.path> matches scheduled and enqueued jobs of that method, and no other", { timeout: 180_000 }, async () => {
    const r = await cli(["logs", "--task", "zone_app.tasks.report", "--json"]);
    expect(r.code).toBe(0);
    const ids = new Set(r.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { jobId: string }).jobId));
    expect(ids).toEqual(new Set([plain.id, scheduled.id]));
  });

  it("jobs show takes a unique id prefix; an ambiguous one is refused with the candidates", { timeout: 180_000 }, async () => {
    const one = await cli(["jobs", "show", "abcd1", "--json"]);
    expect(one.stderr).toBe("");
    expect(JSON.parse(one.stdout).job.id).toBe("abcd1234-one");
    const both = await cli(["jobs", "show", "abcd"]);
    expect(both.code).toBe(1);
    expect(both.stderr.trim()).toBe('scheduler: job id prefix "abcd" matches 2 jobs: abcd1234-one, abcd5678-two (give more characters of the id)');
    const none = await cli(["jobs", "show", "zzzz9"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no job with id zzzz9 or an id starting so");
  });
});
