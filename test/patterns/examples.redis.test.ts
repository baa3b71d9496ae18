/** The examples/ that need no worker, run as written against real Redis. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { setActiveContext, type QueueEnv } from "../../src/queue/context.js";
import { BUILTIN_QUEUES } from "../../src/config/defaults.js";
import { systemClock } from "../../src/base/clock.js";
import { runFailureHandlers } from "../../src/worker/run-failure-handlers.js";
import { DEFAULT_RETENTION } from "../../src/config/defaults.js";
import type { Job } from "../../src/queue/types.js";
import { sync_inventory } from "../../examples/distributed_locking.js";
import { throttled_job } from "../../examples/throttling.js";
import { process_large_dataset } from "../../examples/batch_processing.js";
import { db } from "../../examples/lib/db.js";
import { enqueue_bulk_operation, process_chunk, watchBulkProgress } from "../../examples/chunked_enqueueing.js";
import { critical_job, opsWebhook, adminMail } from "../../examples/error_notification.js";
import { notifyUser } from "../../examples/simple_job.js";
import { jobStatus } from "../../examples/job_status.js";
import { get_queue_stats } from "../../examples/stats.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("examples");
  const env: QueueEnv = { redis: t.redis, keys: t.keys, clock: systemClock, queues: BUILTIN_QUEUES, retention: DEFAULT_RETENTION };
  setActiveContext(env);
});
afterAll(async () => {
  setActiveContext(undefined);
  await t.cleanup();
});

describe("examples", () => {
  it("distributed_locking: a second concurrent run gets { acquired: false }", async () => {
    const [a, b] = await Promise.all([sync_inventory({}), sync_inventory({})]);
    const winner = a.acquired ? a : b;
    const loser = a.acquired ? b : a;
    expect(winner).toEqual({ acquired: true, value: 3, lost: false });
    expect(loser).toEqual({ acquired: false });
    expect(await t.redis.exists(t.keys.lock("sync_inventory"))).toBe(0);
  });

  it("throttling: processes every item, paced", async () => {
    const started = Date.now();
    expect(await throttled_job({ items: ["a", "b", "c"], ratePerMinute: 3000 })).toEqual(["A", "B", "C"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(38); // two 20 ms intervals
  });

  it("batch_processing: every pending record processed once, despite the shrinking filter", async () => {
    db.seed(1000);
    expect(await process_large_dataset()).toEqual({ batches: 10, processed: 1000 });
    expect(db.countPending()).toBe(0);
  });

  it("chunked_enqueueing: chunk jobs enqueued as a group, chunk updates published live", async () => {
    const group = await enqueue_bulk_operation({ items: Array.from({ length: 120 }, (_, i) => `i${i}`), operationId: "op-1" });
    expect(group.jobIds).toEqual(["bulk_op:op-1:0", "bulk_op:op-1:1", "bulk_op:op-1:2"]);
    expect(await group.progress()).toMatchObject({ total: 3, pending: 3, percent: 0 });

    const updates: unknown[] = [];
    const stop = await watchBulkProgress((u) => void updates.push(u));
    expect(await process_chunk({ items: ["x", "y"], chunk_number: 4 })).toBe(2);
    await waitFor(() => updates.length === 1, 3000);
    expect(updates).toEqual([{ chunk: 4, completed: 2 }]);
    await stop();
  });

  it("error_notification: the webhook receives the failure, the mail goes through the transport, logError records", async () => {
    const bodies: Array<Record<string, unknown>> = [];
    let hits = 0;
    const server: Server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString()));
      req.on("end", () => {
        bodies.push(JSON.parse(raw) as Record<string, unknown>);
        res.writeHead(++hits === 1 ? 502 : 204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/failed`;
      const mails: unknown[] = [];
      const job = { id: "j1", method: "examples.error_notification.critical_job", queue: "default", status: "failed", kwargs: { data: "" }, timeout: 300, attempt: 1, createdAt: 0, stalls: 0 } as Job;
      const report = await runFailureHandlers(
        [opsWebhook(url), adminMail({ sendMail: async (m) => void mails.push(m) })],
        { job, error: new Error("no data"), attempts: 1 },
        { error: () => {} },
      );
      expect(report).toEqual({ ok: 2, failed: [] });
      expect(hits).toBe(2); // 502, retried, 204
      expect(bodies[1]).toMatchObject({ event: "job.failed", job: { id: "j1" }, error: { message: "no data" } });
      expect(mails).toHaveLength(1);
    } finally {
      await new Promise((r) => server.close(r));
    }

    await expect(critical_job({ data: "" })).rejects.toThrow("no data");
    const latest = await t.redis.xrevrange(t.keys.events(), "+", "-", "COUNT", 1);
    expect(JSON.parse(latest[0]![1][1]!)).toMatchObject({ type: "log.error", msg: "Background Job Failed: critical_job: no data" });
  });

  it("simple_job, job_status and stats: enqueue, look the job up, count it", async () => {
    const job = await notifyUser();
    expect(job.kwargs).toEqual({ user: "user@example.com", message: "Hello!" });
    expect(await jobStatus(job.id)).toMatchObject({ status: "queued", percent: 0 });
    expect(await jobStatus("no-such-job")).toBeNull();
    const stats = await get_queue_stats();
    expect(stats.default).toEqual({ pending: 1, failed: 0, scheduled: 0 });
    expect(stats.long).toEqual({ pending: 3, failed: 0, scheduled: 0 });
  });
});
