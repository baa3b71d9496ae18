import { describe, expect, it } from "vitest";
import { EnqueueError, UnrecoverableError } from "../../src/base/errors.js";
import { normalizeOptions } from "../../src/queue/options.js";
import { nextRetryAt, retryDelayMs } from "../../src/queue/retry.js";
import { normalizeRetry } from "../../src/config/retry-policy.js";
import type { Job } from "../../src/queue/types.js";

const err = (fn: () => unknown): EnqueueError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EnqueueError);
    return e as EnqueueError;
  }
  throw new Error("expected an EnqueueError");
};

describe("normalizeOptions", () => {
  it("accepts Frappe's snake_case names and camelCase alike", () => {
    const snake = normalizeOptions({ is_async: false, job_name: "n", job_id: "id-1", at_front: true, enqueue_after_commit: true });
    const camel = normalizeOptions({ isAsync: false, jobName: "n", jobId: "id-1", atFront: true, enqueueAfterCommit: true });
    expect(snake).toEqual(camel);
    expect(snake).toMatchObject({ runNow: true, jobName: "n", jobId: "id-1", atFront: true, afterCommit: true, queue: "default" });
  });

  it("treats every non-option key as a kwarg, merged with explicit kwargs", () => {
    const o = normalizeOptions({ queue: "long", data_id: "123", option: "value", kwargs: { extra: 1 } });
    expect(o.kwargs).toEqual({ data_id: "123", option: "value", extra: 1 });
    expect(o.queue).toBe("long");
  });

  it("refuses a kwarg given twice, disagreeing aliases, bad timeouts and delays", () => {
    expect(err(() => normalizeOptions({ a: 1, kwargs: { a: 2 } })).message).toContain('kwarg "a"');
    expect(err(() => normalizeOptions({ isAsync: true, is_async: false })).message).toContain("isAsync and is_async disagree");
    expect(err(() => normalizeOptions({ timeout: 0 })).code).toBe("BAD_TIMEOUT");
    expect(err(() => normalizeOptions({ timeout: -5 })).code).toBe("BAD_TIMEOUT");
    expect(err(() => normalizeOptions({ delay: "soon" })).code).toBe("BAD_DELAY");
    expect(err(() => normalizeOptions({ delay: 5, at: 1 })).message).toContain("delay or at");
    expect(err(() => normalizeOptions({ jobId: "has space" })).code).toBe("BAD_JOB_ID");
    expect(err(() => normalizeOptions({ deduplicate: true })).message).toContain("deduplicate needs a jobId");
  });

  it("parses delays: seconds and 10m-style strings", () => {
    expect(normalizeOptions({ delay: 30 }).delayMs).toBe(30_000);
    expect(normalizeOptions({ delay: "10m" }).delayMs).toBe(600_000);
    expect(normalizeOptions({ delay: "1h30m" }).delayMs).toBe(5_400_000);
    expect(normalizeOptions({ at: new Date(5000) }).at).toBe(5000);
  });

  it("uses jobName as the dedup id when deduplicate has no jobId (the reference's job_name)", () => {
    expect(normalizeOptions({ deduplicate: true, job_name: "bulk_op_chunk_0" }).jobId).toBe("bulk_op_chunk_0");
  });
});

describe("retry policy", () => {
  it("defaults to exponential from 60 s: 1, 2, 4 minutes like the reference", () => {
    const p = normalizeRetry({ max: 3 })!;
    expect(p).toEqual({ max: 3, backoff: "exponential", delay: 60, jitter: 0 });
    expect([0, 1, 2].map((n) => retryDelayMs(p, n))).toEqual([60_000, 120_000, 240_000]);
    expect(retryDelayMs({ ...p, backoff: "fixed", delay: 5 }, 4)).toBe(5000);
  });
  it("jitter shortens a delay by up to its fraction", () => {
    const p = normalizeRetry({ max: 1, delay: 100, jitter: 0.5 })!;
    expect(retryDelayMs(p, 0, () => 1)).toBe(50_000);
    expect(retryDelayMs(p, 0, () => 0)).toBe(100_000);
  });
  it("refuses bad policies", () => {
    expect(err(() => normalizeRetry({ max: -1 })).code).toBe("BAD_RETRY");
    expect(err(() => normalizeRetry({ max: 1, backoff: "linear" as "fixed" })).message).toContain("backoff");
    expect(err(() => normalizeRetry({ max: 1, jitter: 2 })).message).toContain("jitter");
  });
  it("stops at max and on UnrecoverableError", () => {
    const job = { retry: normalizeRetry({ max: 2 }), retries: 0 } as Job;
    expect(nextRetryAt(job, new Error("x"), 1000)).toBe(61_000);
    expect(nextRetryAt({ ...job, retries: 2 }, new Error("x"), 1000)).toBeUndefined();
    expect(nextRetryAt(job, new UnrecoverableError("no"), 1000)).toBeUndefined();
    expect(nextRetryAt({ ...job, retry: undefined }, new Error("x"), 1000)).toBeUndefined();
  });
});

describe("dependsOn / allowFailure options", () => {
  it("accepts an id, a job (anything with an id) or a list; repeats collapse; not kwargs", () => {
    expect(normalizeOptions({ dependsOn: "a" })).toMatchObject({ dependsOn: ["a"], allowFailure: false, kwargs: {} });
    expect(normalizeOptions({ dependsOn: { id: "j1", status: "queued" } as { id: string } }).dependsOn).toEqual(["j1"]);
    expect(normalizeOptions({ dependsOn: ["a", { id: "b" }, "a"], allowFailure: true })).toMatchObject({ dependsOn: ["a", "b"], allowFailure: true });
    expect(normalizeOptions({ depends_on: ["x"], allow_failure: true })).toMatchObject({ dependsOn: ["x"], allowFailure: true, kwargs: {} });
    expect(normalizeOptions({}).dependsOn).toEqual([]);
  });
  it("refuses bad references and combinations with a clear message", () => {
    expect(err(() => normalizeOptions({ dependsOn: "has space" })).message).toContain("dependsOn must be a job id");
    expect(err(() => normalizeOptions({ dependsOn: [null] as never })).code).toBe("BAD_DEPENDENCY");
    expect(err(() => normalizeOptions({ jobId: "me", dependsOn: ["me"] })).message).toContain('job "me" cannot depend on itself');
    expect(err(() => normalizeOptions({ allowFailure: "yes" as never, dependsOn: "a" })).message).toContain("allowFailure must be true or false");
    expect(err(() => normalizeOptions({ dependsOn: "a", depends_on: "b" })).message).toContain("disagree");
  });
});
