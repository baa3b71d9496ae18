import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachEventSink, createLogger, jobLogger } from "../../src/log/logger.js";
import { createEventSink, lineToEvent } from "../../src/log/event-sink.js";
import { readEvents } from "../../src/log/read-events.js";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("event-sink");
});
afterAll(async () => {
  await t.cleanup();
});

describe("events sink", () => {
  it("copies job logger lines and process warnings to the stream, not routine process lines", async () => {
    const { redis, keys } = t;
    const log = createLogger({ name: "worker", level: "debug", console: false, events: { redis, keys } });
    log.info("tick (routine, stays out of the stream)");
    log.warn({ queue: "short" }, "queue short is slow");
    const jl = jobLogger(log, { id: "job-7", queue: "default", method: "app.tasks.sync", attempt: 1 });
    jl.info({ rows: 42 }, "imported rows");
    jl.debug("details");

    await waitFor(async () => (await readEvents(redis, keys, { count: 100 })).length >= 3, 3000);
    const events = await readEvents(redis, keys, { count: 100 });
    expect(events.map((e) => e.msg)).toEqual(["queue short is slow", "imported rows", "details"]);
    expect(events[1]).toMatchObject({ type: "log", level: "info", jobId: "job-7", queue: "default", task: "app.tasks.sync", worker: "worker", data: { rows: 42, attempt: 1 } });
    expect(events[0]).toMatchObject({ type: "log", level: "warn", queue: "short" });
    expect(events[2]!.level).toBe("debug");
    expect((await readEvents(redis, keys, { filter: { job: "job-7", level: "info" } })).map((e) => e.msg)).toEqual(["imported rows"]);
  });

  it("can be attached after the logger (and its job children) were made", async () => {
    const { redis, keys } = t;
    const log = createLogger({ name: "scheduler", console: false });
    const early = jobLogger(log, { id: "job-late", queue: "short", method: "app.tasks.late" });
    early.info("before attach: not copied");
    const sink = attachEventSink(log, { redis, keys });
    early.info("after attach");
    jobLogger(log, { id: "job-late", queue: "short", method: "app.tasks.late" }).error("from a new child");
    await waitFor(async () => (await readEvents(redis, keys, { filter: { job: "job-late" } })).length >= 2, 3000);
    expect((await readEvents(redis, keys, { filter: { job: "job-late" } })).map((e) => e.msg)).toEqual(["after attach", "from a new child"]);
    expect(sink.dropped).toBe(0);
    expect(() => attachEventSink(early.child({}), { redis, keys })).toThrow(/not made by createLogger/);
  });

  it("counts lines it could not write instead of throwing into the caller", async () => {
    const broken = t.redis.duplicate();
    broken.disconnect();
    const sink = createEventSink({ redis: broken, keys: t.keys });
    expect(() => sink.write('{"level":50,"time":1,"msg":"x"}\n')).not.toThrow();
    sink.write("not json at level 50 {\"jobId\":\n");
    await waitFor(() => sink.dropped === 2, 3000);
  });

  it("maps pino levels and keeps extra fields as data", () => {
    expect(lineToEvent({ level: 60, time: 5, msg: "fatal" })).toEqual({ type: "log", level: "error", at: 5, msg: "fatal" });
    expect(lineToEvent({ level: 10, time: 5, msg: "trace", pid: 1, hostname: "h", extra: true })).toEqual({ type: "log", level: "debug", at: 5, msg: "trace", data: { extra: true } });
  });
});
