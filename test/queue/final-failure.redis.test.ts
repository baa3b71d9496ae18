/**
 * The final-failure hook point: failJobDetailed answers "failed" with { job, error, attempts,
 * history } exactly once per final failure (retries and late callers get no failure record), in
 * the same script; readFinalFailure gives the same for jobs the reaper failed. The record feeds
 * runFailureHandlers (src/worker/run-failure-handlers.ts) as is.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UnrecoverableError } from "../../src/base/errors.js";
import { runFailureHandlers, type JobFailure } from "../../src/worker/run-failure-handlers.js";
import { setActiveContext } from "../../src/queue/context.js";
import { enqueue } from "../../src/queue/enqueue.js";
import { dequeue, failJobDetailed, reapStalled } from "../../src/queue/lifecycle.js";
import { readFinalFailure } from "../../src/queue/registry.js";
import { queueFixture, T0, type QueueFixture } from "./helpers.js";

let f: QueueFixture;
beforeEach(async () => {
  f = await queueFixture("final-failure", { "my_app.tasks.t": () => 1 });
});
afterEach(async () => {
  setActiveContext(undefined);
  await f.t.cleanup();
});

const take = (worker = "w") => dequeue(f.env, { queues: ["default"], worker, leaseMs: 30_000 });

describe("final failure record", () => {
  it("retries give no record; the final failure gives job, error, attempts and history once", async () => {
    await enqueue("my_app.tasks.t", { queue: "default", jobId: "J", retry: { max: 1, delay: 0 } });
    const first = await failJobDetailed(f.env, { job: (await take())!, worker: "w", error: new Error("first") });
    expect(first).toEqual({ outcome: "retry-scheduled" });
    f.clock.advance(10);
    const job = (await take())!;
    const res = await failJobDetailed(f.env, { job, worker: "w", error: new TypeError("second") });
    expect(res.outcome).toBe("failed");
    if (res.outcome !== "failed") return;
    expect(res.failure.job).toMatchObject({ id: "J", status: "failed", attempt: 2, endedAt: T0 + 10 });
    expect(res.failure.error).toMatchObject({ name: "TypeError", message: "second" });
    expect(res.failure.attempts).toBe(2);
    expect(res.failure.history.map((a) => [a.attempt, a.outcome, a.error?.message])).toEqual([
      [1, "failed", "first"],
      [2, "failed", "second"],
    ]);
    expect(res.failure.canceledDependents).toEqual([]);
    // a second caller for the same failure (a late timeout path, a duplicate) gets nothing to report
    expect(await failJobDetailed(f.env, { job, worker: "w", error: new Error("again") })).toEqual({ outcome: "lease-lost" });

    // the record is what runFailureHandlers takes
    const seen: JobFailure[] = [];
    const report = await runFailureHandlers([(x) => void seen.push(x)], res.failure, { error: () => undefined });
    expect(report).toEqual({ ok: 1, failed: [] });
    expect(seen[0]).toMatchObject({ attempts: 2, job: { id: "J" }, error: { message: "second" } });
  });

  it("an UnrecoverableError fails at once: the first attempt is final", async () => {
    await enqueue("my_app.tasks.t", { queue: "default", retry: 3 });
    const res = await failJobDetailed(f.env, { job: (await take())!, worker: "w", error: new UnrecoverableError("bad input") });
    expect(res.outcome === "failed" && res.failure.attempts).toBe(1);
  });

  it("readFinalFailure: the same record for a job the reaper failed as abandoned; null otherwise", async () => {
    await enqueue("my_app.tasks.t", { queue: "default", jobId: "R" });
    await dequeue(f.env, { queues: ["default"], worker: "dead", leaseMs: 1000 });
    expect(await readFinalFailure(f.env, "R")).toBeNull(); // started, not failed
    f.clock.advance(2000);
    const reaped = await reapStalled(f.env, { stallLimit: 0 });
    expect(reaped.failed).toEqual(["R"]);
    const rec = await readFinalFailure(f.env, "R");
    expect(rec).toMatchObject({ job: { id: "R", status: "failed" }, error: { name: "AbandonedError" }, attempts: 1 });
    expect(rec?.history.map((a) => a.outcome)).toEqual(["abandoned"]);
    expect(await readFinalFailure(f.env, "nope")).toBeNull();
  });
});
