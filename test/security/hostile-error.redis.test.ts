/**
 * A task that throws an object whose every getter (and toString, toJSON) throws: the job is
 * run once and recorded as failed with what can be read of the value, not retried by a
 * crashing worker and reported as "worker died".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueWith } from "../../src/queue/enqueue.js";
import { afterEach } from "vitest";
import type { Job } from "../../src/queue/types.js";
import { serializeError } from "../../src/queue/job-codec.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { type Watched } from "../helpers/spawn.js";
import { readJob, SECURITY_QUEUES, securityWorker } from "./helpers.js";

let t: TestRedis;
let w: Watched | undefined;

beforeAll(async () => {
  t = await testRedis("sec-hostile-error");
});
// A failing test leaves no worker behind.
afterEach(async () => {
  await w?.kill9();
});
afterAll(async () => {
  await t.cleanup();
});

const hostile = () => {
  const boom = () => {
    throw new Error("getter");
  };
  return Object.defineProperties({ visible: "what can be read" }, {
    message: { get: boom, enumerable: true },
    name: { get: boom, enumerable: true },
    stack: { get: boom },
    toString: { value: boom },
    toJSON: { value: boom },
  });
};

describe("a thrown value whose getters throw", () => {
  it("serializes to what can be read", () => {
    const e = serializeError(hostile());
    expect(e.name).toBe("NonError");
    expect(e.message).toContain("what can be read");
    const withBadError = Object.defineProperty(new Error("real message"), "code", { get: () => { throw new Error("x"); } });
    expect(serializeError(withBadError)).toMatchObject({ name: "Error", message: "real message" });
  });

  it("fails its job once, with no retry and no dead worker", async () => {
    const rec = `${t.keys.root}:rec`;
    const env = { redis: t.redis, keys: t.keys, clock: () => Date.now(), queues: SECURITY_QUEUES, retention: { finished: 600, failed: 600 } };
    const id = ((await enqueueWith(env, "app.tasks.throws_getters", { rec })) as Job).id;
    w = securityWorker(t, {}, "default");
    await waitFor(async () => (await readJob(t, id)).status === "failed", 30_000);
    const j = await readJob(t, id);
    expect(await t.redis.hgetall(rec)).toEqual({ [id]: "1" });
    expect(j.attempt).toBe(1);
    expect(j.stalls ?? 0).toBe(0);
    expect(j.error?.message).toContain("what can be read");
    expect(j.error?.message).not.toMatch(/died/);
    expect(w.output()).not.toMatch(/worker .* (died|exited)/);
    expect((await w.stop()).code).toBe(0);
  });
});
