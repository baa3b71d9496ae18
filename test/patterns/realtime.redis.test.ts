import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { publishRealtime, subscribe } from "../../src/patterns/realtime.js";
import { channelHub } from "../../src/patterns/channel-hub.js";
import { createRedis } from "../../src/redis/connection.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("realtime");
});
afterAll(async () => {
  await t.cleanup();
});
const target = () => ({ redis: t.redis, keys: t.keys });

describe("publishRealtime / subscribe", () => {
  it("delivers JSON data on <prefix>:realtime:<event> to every subscriber until it unsubscribes", async () => {
    const a: unknown[] = [];
    const b: unknown[] = [];
    const offA = await subscribe("bulk_progress", (d, meta) => void a.push([d, meta.event]), target());
    const offB = await subscribe("bulk_progress", (d) => void b.push(d), target());
    expect(await publishRealtime("bulk_progress", { chunk: 1, completed: 50 }, target())).toBe(1); // one shared connection
    await waitFor(() => a.length === 1 && b.length === 1, 3000);
    expect(a).toEqual([[{ chunk: 1, completed: 50 }, "bulk_progress"]]);
    expect(b).toEqual([{ chunk: 1, completed: 50 }]);

    await offA();
    await publishRealtime("bulk_progress", { chunk: 2 }, target());
    await waitFor(() => b.length === 2, 3000);
    expect(a.length).toBe(1);
    await offB();
    expect(await publishRealtime("bulk_progress", { chunk: 3 }, target())).toBe(0);
    expect(channelHub(t.redis).channels()).toEqual([]);
  });

  it("uses the documented channel name, so any Redis client can listen", async () => {
    const raw = new Redis(t.url);
    const got: Array<[string, string]> = [];
    raw.on("message", (channel: string, message: string) => void got.push([channel, message]));
    await raw.subscribe(`${t.prefix}:realtime:report_ready`);
    await publishRealtime("report_ready", { file: "r.pdf" }, target());
    await waitFor(() => got.length === 1, 3000);
    expect(got[0]).toEqual([`${t.prefix}:realtime:report_ready`, '{"file":"r.pdf"}']);
    raw.disconnect();
  });

  it("works on a lazy fail-fast client (the CLI's), which refuses commands before it is connected", async () => {
    const lazy = createRedis(t.url, { failFast: true });
    lazy.on("error", () => {});
    const got: unknown[] = [];
    const off = await subscribe("lazy", (d) => void got.push(d), { redis: lazy, keys: t.keys });
    await publishRealtime("lazy", { ok: true }, target());
    await waitFor(() => got.length === 1, 3000);
    await off();
    lazy.disconnect();
  });

  it("isolates a throwing handler and reports it through onError", async () => {
    const errors: string[] = [];
    const seen: unknown[] = [];
    const off1 = await subscribe("x", () => {
      throw new Error("bad handler");
    }, { ...target(), onError: (e) => void errors.push((e as Error).message) });
    const off2 = await subscribe("x", async (d) => void seen.push(d), target());
    await publishRealtime("x", 1, target());
    await waitFor(() => seen.length === 1 && errors.length === 1, 3000);
    expect(errors).toEqual(["bad handler"]);
    await off1();
    await off2();
    await off2(); // idempotent
  });

  it("refuses data JSON cannot carry and empty event names, naming the event", async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(publishRealtime("ev", circular, target())).rejects.toThrow(/publishRealtime\("ev"\): data cannot be sent as JSON/);
    await expect(publishRealtime("ev", undefined, target())).rejects.toThrow(/got undefined/);
    await expect(publishRealtime("", 1, target())).rejects.toThrow(/event must be a non-empty string/);
    await expect(subscribe("", () => {}, target())).rejects.toThrow(/subscribe: event must be a non-empty string/);
  });
});
