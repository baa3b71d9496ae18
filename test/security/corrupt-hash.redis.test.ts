/**
 * Job hashes damaged in Redis (fields that are not JSON, not the right shape, missing, or a
 * queue that does not match): each job fails once with a reason naming the field, its task
 * never runs, nothing loops (a burst worker drains and exits), and no job is reported as
 * abandoned by a dead worker.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { stoppedAfterEach } from "../helpers/spawn.js";
import { allEvents } from "../helpers/job-reads.js";
import { readJob, securityWorker } from "./helpers.js";

let t: TestRedis;
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const procs = stoppedAfterEach();

beforeAll(async () => {
  t = await testRedis("sec-corrupt");
});
afterAll(async () => {
  await t.cleanup();
});

/** A queued job written straight into Redis; `change` sets (string) or deletes (null) fields. */
async function forge(rec: string, change: Record<string, string | null>): Promise<string> {
  const id = randomUUID();
  const now = Date.now();
  const fields: Record<string, string> = { method: "app.tasks.record", queue: "default", kwargs: JSON.stringify({ rec }), timeout: "30", createdAt: String(now), enqueuedAt: String(now), status: "queued" };
  for (const [k, v] of Object.entries(change)) {
    if (v === null) delete fields[k];
    else fields[k] = v;
  }
  await t.redis.multi().hset(t.keys.job(id, t.keys.jobTag("default")), fields).rpush(t.keys.queue("default"), id).rpush(t.keys.wake("default"), "1").sadd(t.keys.queues(), "default").exec();
  return id;
}

describe("damaged job hashes", () => {
  it("fail once each with the field named; the burst worker drains and exits; nothing ran", async () => {
    const rec = `${t.keys.root}:rec`;
    const cases: Array<[Record<string, string | null>, RegExp]> = [
      [{ retry: "{garbage" }, /^job hash field retry is not valid JSON: /],
      [{ retry: "5" }, /^job hash field retry is not a retry policy object: 5$/],
      [{ retry: '{"__proto__":{"max":5}}' }, /^job hash field retry has no whole-number max >= 0$/],
      [{ retry: '{"max":1e9,"backoff":"exponential","delay":"x","jitter":0}' }, /^job hash field retry has no delay of seconds >= 0$/],
      [{ kwargs: "{garbage" }, /^job hash field kwargs is not valid JSON: /],
      [{ kwargs: "[1,2]" }, /^job hash field kwargs is not a JSON object \(it is a list\)$/],
      [{ kwargs: '"text"' }, /^job hash field kwargs is not a JSON object \(it is a string\)$/],
      [{ queue: null }, /^job hash field queue is missing$/],
      [{ queue: "toString" }, /^job hash field queue says "toString" but the job was in queue "default"$/],
      [{ timeout: "abc" }, /^job hash field timeout is not a number of seconds > 0: "abc"$/],
      [{ timeout: null }, /^job hash field timeout is missing$/],
      [{ dependsOn: "{x" }, /^job hash field dependsOn is not valid JSON: /],
      [{ method: null }, /^job hash field method is missing$/],
    ];
    const ids: string[] = [];
    for (const [change] of cases) ids.push(await forge(rec, change));
    const good = await forge(rec, {});

    const burst = securityWorker(t, {}, "default", ["--burst"]);
    procs.push(burst);
    const exit = await Promise.race([burst.exited, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
    expect(exit, `burst worker did not drain within 30 s:\n${burst.output().slice(-2000)}`).not.toBeNull();
    expect(exit!.code).toBe(0);

    for (const [i, [change, why]] of cases.entries()) {
      const j = await readJob(t, ids[i]!, "default");
      const label = JSON.stringify(change);
      expect(j.status, label).toBe("failed");
      expect(j.error?.name, label).toBe("CorruptJobError");
      expect(j.error?.message, label).toMatch(why);
      expect(j.attempt, label).toBe(1);
      expect(j.stalls ?? 0, label).toBe(0);
      expect(j.retries ?? 0, label).toBe(0);
    }
    expect(Object.keys(await t.redis.hgetall(rec))).toEqual([good]);
    // Bounded work: one start and one failure per damaged job, no retry storm, no "worker died".
    const events = await allEvents<{ type: string; msg: string }>(t);
    expect(events.filter((e) => e.type === "job.started")).toHaveLength(cases.length + 1);
    expect(events.filter((e) => e.type === "job.retry_scheduled")).toHaveLength(0);
    expect(events.some((e) => /died|abandoned/.test(e.msg))).toBe(false);
  });
});
