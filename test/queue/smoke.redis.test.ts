import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueue } from "../../src/queue/enqueue.js";
import { completeJob, dequeue } from "../../src/queue/lifecycle.js";
import { getJob } from "../../src/queue/registry.js";
import { queueFixture, type QueueFixture } from "./helpers.js";

let f: QueueFixture;
beforeAll(async () => {
  f = await queueFixture("smoke", { "my_app.tasks.hello": () => "hi" });
});
afterAll(() => f.t.cleanup());

describe("smoke", () => {
  it("enqueue -> dequeue -> complete", async () => {
    const job = await enqueue("my_app.tasks.hello", { who: "x" });
    expect(job.status).toBe("queued");
    const got = await dequeue(f.env, { queues: ["default"], worker: "w1", leaseMs: 30_000 });
    expect(got?.id).toBe(job.id);
    expect(got?.kwargs).toEqual({ who: "x" });
    expect(await completeJob(f.env, { job: got!, worker: "w1", result: { ok: 1 } })).toBe("finished");
    const after = await getJob(job.id);
    expect(after?.status).toBe("finished");
    expect(after?.result).toEqual({ ok: 1 });
  });
});
