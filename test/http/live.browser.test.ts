// The Live page in Chromium: an event shows within 1 s of happening (server-sent events from
// the events stream), and its filters work like `scheduler logs -f --queue --level`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvent } from "../../src/log/events.js";
import { eventStreams } from "../../src/log/event-streams.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import type { Job } from "../../src/queue/types.js";
import { waitFor } from "../helpers/redis.js";
import { startConsoleServer } from "../../src/http/console/standalone.js";
import { consoleDeps, startHarness, type Harness } from "./harness.js";

describe("console live events", () => {
  let h: Harness;
  beforeAll(async () => {
    // no daemon: the only events are the ones this test makes
    h = await startHarness("console-live", { daemon: false });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("shows a new event within 1 s", async () => {
    const page = await h.open("/live");
    await expect.poll(() => page.getByTestId("live-status").textContent(), { timeout: 10_000 }).toBe("live");
    const started = Date.now();
    const job = (await enqueueWith(h.env, "app.tasks.quick", { queue: "default" })) as Job;
    await page.getByTestId("events").getByRole("link", { name: job.id }).waitFor({ timeout: 1000 });
    const took = Date.now() - started;
    expect(took).toBeLessThan(1000);
    await page.close();
    expect(h.errors).toEqual([]);
  });

  it("closes its Redis follower when the browser goes away", async () => {
    const followers = async () =>
      new Set(
        ((await h.t.redis.call("CLIENT", "LIST")) as string)
          .split("\n")
          .filter((line) => line.includes("name=hs-events-follow"))
          .map((line) => /id=(\d+)/.exec(line)?.[1]),
      );
    // One follower per events stream (followEvents): the installation's, and on the per-queue
    // layout each queue's that exists (the first test's job wrote the default queue's).
    const listed = await eventStreams(h.t.redis, h.t.keys);
    const exist = await Promise.all(listed.map((s) => h.t.redis.exists(s)));
    const streams = new Set([h.t.keys.events(), ...listed.filter((_, i) => exist[i])]);
    const before = await followers();
    const stop = new AbortController();
    const res = await fetch(`${h.server.url}/api/events/stream`, { signal: stop.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain(": connected");
    const mine = await waitFor(async () => {
      const fresh = [...(await followers())].filter((id) => !before.has(id));
      return fresh.length >= streams.size ? fresh : undefined;
    }, 5000, 25);
    expect(mine).toHaveLength(streams.size);
    stop.abort();
    await waitFor(async () => {
      const open = await followers();
      return mine!.every((id) => !open.has(id));
    }, 5000, 25);
  });

  it("ends open streams when the server closes, instead of waiting on them", async () => {
    const deps = await consoleDeps(h.t);
    const server = await startConsoleServer({ host: "127.0.0.1", port: 0, deps });
    try {
      const res = await fetch(`${server.url}/api/events/stream`);
      const reader = res.body!.getReader();
      await reader.read();
      const closing = server.close();
      // the stream ends (done) rather than the close hanging on it
      for (let r = await reader.read(); !r.done; r = await reader.read());
      await closing;
    } finally {
      deps.close();
    }
  });

  it("filters by queue and level", async () => {
    const page = await h.open("/live");
    await page.getByLabel("queue").selectOption("short");
    await page.getByLabel("level").selectOption("warn");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => page.getByTestId("live-status").textContent(), { timeout: 10_000 }).toBe("live");
    await expect.poll(() => page.getByTestId("events").locator("li").count(), { timeout: 5000 }).toBe(0);
    const at = Date.now();
    await appendEvent(h.t.redis, h.t.keys, { type: "log", level: "info", at, msg: "short info: filtered out", queue: "short" });
    await appendEvent(h.t.redis, h.t.keys, { type: "log", level: "error", at, msg: "default error: filtered out", queue: "default" });
    await appendEvent(h.t.redis, h.t.keys, { type: "log", level: "error", at, msg: "short error <b>shown</b>", queue: "short" });
    const list = page.getByTestId("events");
    await expect.poll(() => list.locator("li").allTextContents(), { timeout: 5000 }).toEqual([expect.stringContaining("short error <b>shown</b>")]);
    expect(await list.locator("b").count()).toBe(0);
    await page.close();
    expect(h.errors).toEqual([]);
  });
});
