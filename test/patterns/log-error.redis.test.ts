import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Redis } from "ioredis";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { logError } from "../../src/patterns/log-error.js";
import { runInScope } from "../../src/queue/work-scope.js";
import type { CurrentJob } from "../../src/runtime/job-context.js";
import { createKeys } from "../../src/redis/keys.js";
import type { SchedulerEvent } from "../../src/log/events.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("logerror");
});
afterAll(async () => {
  await t.cleanup();
});

async function lastEvent(): Promise<SchedulerEvent> {
  const entries = await t.redis.xrevrange(t.keys.events(), "+", "-", "COUNT", 1);
  const fields = entries[0]![1];
  return JSON.parse(fields[fields.indexOf("e") + 1]!) as SchedulerEvent;
}

describe("logError", () => {
  it("appends a log.error event with the message and the stack", async () => {
    const err = Object.assign(new TypeError("cannot read sku"), { code: "E_SKU" });
    expect(await logError("Inventory sync failed", err, { redis: t.redis, keys: t.keys })).toBe(true);
    const e = await lastEvent();
    expect(e).toMatchObject({
      type: "log.error",
      level: "error",
      msg: "Inventory sync failed: cannot read sku",
      data: { title: "Inventory sync failed", name: "TypeError", message: "cannot read sku", code: "E_SKU" },
    });
    expect((e.data as { stack: string }).stack).toContain("log-error.redis.test.ts");
    expect(e.jobId).toBeUndefined();
  });

  it("carries the job id and queue when called inside a job", async () => {
    const job: CurrentJob = {
      id: "job-7",
      queue: "short",
      attempt: 1,
      kwargs: {},
      signal: new AbortController().signal,
      log: { debug() {}, info() {}, warn() {}, error() {} },
      publishProgress: async () => true,
    };
    await runInScope({ kind: "job", job, afterCommit: [] }, () => logError("Could not acquire lock: sync", undefined, { redis: t.redis, keys: t.keys }));
    expect(await lastEvent()).toMatchObject({ type: "log.error", msg: "Could not acquire lock: sync", jobId: "job-7", queue: "short" });
  });

  it("never rejects: without a context, or with Redis down, it writes one line to stderr", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      expect(await logError("No context here", new Error("x"))).toBe(false);
      const down = new Redis("redis://127.0.0.1:1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
      down.on("error", () => {});
      expect(await logError("Redis gone", "plain string", { redis: down, keys: createKeys("x") })).toBe(false);
      down.disconnect();
    } finally {
      spy.mockRestore();
    }
    expect(lines[0]).toBe("logError (no Redis context): No context here: x\n");
    expect(lines[1]).toMatch(/^logError: could not record in Redis \(.+\): Redis gone: non-Error thrown: "plain string"\n$/);
  });
});
