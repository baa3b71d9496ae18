/**
 * Fuzz: enqueue() with random option objects and kwargs, and the CLI with random arguments.
 * enqueue either returns a valid job (its hash in Redis says so) or throws a SchedulerError with
 * one line, and then has written nothing (the key count is unchanged). The CLI, in a bounded
 * number of spawned runs, exits 0, 1 or 2 with one-line errors, never a stack trace or a hang.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { SchedulerError } from "../../src/base/errors.js";
import { runCli } from "../helpers/spawn.js";
import type { Job } from "../../src/queue/types.js";
import { relEnv } from "./helpers/env.js";
import { APP_HOOKS } from "./helpers/procs.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("rel-fuzz");
});
afterAll(async () => {
  await t.cleanup();
});

const weird = fc.oneof(fc.constant(null), fc.constant(undefined), fc.integer(), fc.double(), fc.boolean(), fc.string({ maxLength: 6 }), fc.constant([]), fc.constant({}), fc.constant(() => 1), fc.constant(Symbol("s")), fc.bigInt(), fc.constant(new Date(0)), fc.constant(new Map()), fc.constant(NaN));
// Mostly well-formed options (so both outcomes are common), then anything at all.
const goodOption = fc.record(
  {
    queue: fc.constantFrom("default", "short"),
    timeout: fc.integer({ min: 1, max: 100 }),
    jobName: fc.string({ minLength: 1, maxLength: 8 }),
    atFront: fc.boolean(),
    delay: fc.integer({ min: 0, max: 5 }),
    retry: fc.record({ max: fc.integer({ min: 0, max: 3 }) }),
    kwargs: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    user: fc.jsonValue({ maxDepth: 2 }),
    message: fc.string({ unit: "grapheme", maxLength: 10 }),
  },
  { requiredKeys: [] },
);
const anyOption = fc.record(
  {
    queue: fc.oneof(fc.constantFrom("default", "short", "nope", ""), weird),
    timeout: fc.oneof(fc.integer({ min: -3, max: 100 }), weird),
    jobId: fc.oneof(fc.string({ maxLength: 8 }), weird),
    job_name: fc.oneof(fc.string({ maxLength: 8 }), weird),
    deduplicate: fc.oneof(fc.boolean(), weird),
    atFront: fc.oneof(fc.boolean(), weird),
    delay: fc.oneof(fc.integer({ min: -5, max: 5 }), weird),
    at: fc.oneof(fc.integer({ min: 0, max: 2 ** 45 }), weird),
    retry: fc.oneof(fc.record({ max: fc.oneof(fc.integer({ min: -1, max: 5 }), weird), backoff: fc.oneof(fc.constantFrom("fixed", "exponential", "linear"), weird), delay: weird }, { requiredKeys: [] }), weird),
    dependsOn: fc.oneof(fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }), weird),
    kwargs: fc.oneof(fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.jsonValue({ maxDepth: 2 }), weird), { maxKeys: 3 }), weird),
    is_async: fc.oneof(fc.constant(true), weird),
    enqueue_after_commit: fc.oneof(fc.boolean(), weird),
    user: fc.oneof(fc.jsonValue({ maxDepth: 2 }), weird),
    message: fc.oneof(fc.string({ unit: "grapheme", maxLength: 10 }), weird),
  },
  { requiredKeys: [] },
);
const option = fc.oneof(goodOption, anyOption);
const method = fc.oneof({ weight: 3, arbitrary: fc.constant("app.tasks.work") }, fc.constantFrom("app.tasks.nope", "nope", "../x", "", "app.tasks.work\n"), weird);

describe("fuzz: bad input", () => {
  it("enqueue with random options: a valid job, or one clear SchedulerError and no write", async () => {
    const env = relEnv(t.redis, t.keys);
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(method, option, async (m, o) => {
        const before = await t.keyCount();
        let job: Job;
        try {
          job = (await enqueueWith(env, m as string, o as Record<string, unknown>)) as Job;
        } catch (err) {
          refused++;
          expect(err, String(err)).toBeInstanceOf(SchedulerError);
          expect((err as SchedulerError).toLine()).not.toMatch(/\n/);
          expect(await t.keyCount()).toBe(before);
          return;
        }
        accepted++;
        const stored = await t.redis.hgetall(t.keys.job(job.id, t.keys.jobTag(job.queue)));
        expect(stored.method).toBe(m);
        expect(["queued", "scheduled", "deferred"]).toContain(stored.status);
        // empty kwargs are not stored (job-codec reads an absent field as {})
        expect(stored.kwargs === undefined ? {} : JSON.parse(stored.kwargs)).toEqual(job.kwargs);
      }),
      { numRuns: 250 },
    );
    // Both branches were exercised.
    expect(accepted).toBeGreaterThan(5);
    expect(refused).toBeGreaterThan(5);
  });

  it("30 CLI runs with random arguments: exit 0/1/2, one-line errors, no stack, no hang", async () => {
    const base = ["--redis", t.url, "--prefix", t.prefix];
    const command = fc.constantFrom(
      ["status"], ["status", "--json"], ["list"], ["jobs"], ["jobs", "show"], ["jobs", "retry"], ["enqueue"], ["trigger"], ["why"], ["doctor"],
      ["pause"], ["resume"], ["logs"], ["purge"], ["jobs", "--status"], ["nonsense-command"], [],
    );
    const arg = fc.oneof(
      fc.constantFrom("--queue", "--json", "--kwargs", "--status", "--limit", "--hooks", "--now", "--yes", "--level", "-x", "--", "--help"),
      fc.constantFrom("app.tasks.work", "default", "nope", "{", '{"a":1}', "[]", "-1", "1e99", "../../etc/passwd", "ünïcødé", "' OR 1=1", "*"),
      fc.string({ maxLength: 6 }).filter((s) => !s.includes("\0")),
    );
    const runs = fc.sample(fc.tuple(command, fc.array(arg, { maxLength: 4 })), { numRuns: 30, seed: 42 });
    const results: Array<{ args: string[]; code: number | null; signal: string | null; stderr: string; stdout: string }> = [];
    // Three at a time: 30 node start-ups on two busy cores.
    for (let i = 0; i < runs.length; i += 3) {
      await Promise.all(
        runs.slice(i, i + 3).map(async ([cmd, extra]) => {
          const args = [...cmd, ...extra, "--hooks", APP_HOOKS, ...base];
          const r = await runCli(args, { timeoutMs: 15_000 });
          results.push({ args, code: r.code, signal: r.signal, stderr: r.stderr, stdout: r.stdout });
        }),
      );
    }
    for (const r of results) {
      const what = `scheduler ${r.args.join(" ")}\n${r.stderr}`;
      expect(r.signal, what).toBeNull();
      expect([0, 1, 2], what).toContain(r.code);
      expect(r.stderr + r.stdout, what).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
      // A failure always says something (doctor reports on stdout, errors go to stderr).
      if (r.code !== 0) expect((r.stderr + r.stdout).trim().length, what).toBeGreaterThan(0);
      if (r.code !== 0 && r.stdout.trim() === "") expect(r.stderr.trim().split("\n").length, what).toBeLessThanOrEqual(3);
    }
    expect(new Set(results.map((r) => r.code)).size).toBeGreaterThan(1);
    // 30 process start-ups (≈0.5-1 s each, 3 at a time) on 2 shared cores: bounded well above the
    // ≈20 s they take, so a busy CI machine does not fail it.
  }, 120_000);
});
