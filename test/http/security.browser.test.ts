// The console's guard rails, enforced by the server and seen in the browser: read-only mode
// answers 405 to writes and hides the buttons; a cross-origin POST is refused; with a token
// the page asks for it once and keeps it in an HttpOnly, SameSite=Strict cookie; every page
// carries a nonce CSP; a non-loopback bind without a token is refused.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueWith } from "../../src/queue/enqueue.js";
import type { Job } from "../../src/queue/types.js";
import { checkBind } from "../../src/http/security.js";
import { startConsoleServer } from "../../src/http/console/standalone.js";
import { waitFor } from "../helpers/redis.js";
import { jobHash } from "../helpers/job-reads.js";
import { consoleDeps, startHarness, daemonReady, type Harness } from "./harness.js";

describe("read-only console", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("console-readonly", { deps: { readOnly: true } });
    await daemonReady(h);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it("answers 405 to a write and writes nothing", async () => {
    const before = await h.t.redis.hgetall(h.t.keys.schedulerState());
    const res = await fetch(`${h.server.url}/api/scheduler/pause`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(405);
    expect((await res.json()).error.code).toBe("READ_ONLY");
    expect(await h.t.redis.hgetall(h.t.keys.schedulerState())).toEqual(before);
  });

  it("hides the write buttons of a failed job and of the scheduler", async () => {
    const job = (await enqueueWith(h.env, "app.tasks.flaky", { queue: "default" })) as Job;
    await waitFor(async () => (await jobHash(h.t, job.id)).status === "failed", 30_000, 50);
    const page = await h.open(`/jobs/${encodeURIComponent(job.id)}`);
    await expect.poll(() => page.getByTestId("job-status").textContent(), { timeout: 10_000 }).toBe("failed");
    expect(await page.getByTestId("retry").count()).toBe(0);
    expect(await page.getByTestId("delete").count()).toBe(0);
    await page.goto("/schedules");
    await expect.poll(() => page.getByTestId("scheduler-state").textContent(), { timeout: 10_000 }).toBe("running");
    expect(await page.getByTestId("scheduler-pause").count()).toBe(0);
    expect(await page.getByTestId("trigger").count()).toBe(0);
    await page.close();
    expect(h.errors).toEqual([]);
  });
});

describe("console security", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("console-security", { daemon: false });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("refuses a cross-origin POST and accepts the same write from its own page", async () => {
    const page = await h.open("/schedules");
    await expect.poll(() => page.getByTestId("scheduler-state").textContent(), { timeout: 10_000 }).toBe("running");
    // a page of another origin (another port: another origin) submitting a form to the console
    const evil = createServer((_, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<form id="f" method="post" action="${h.server.url}/api/scheduler/pause" enctype="text/plain"><input name="a" value="b"></form><script>document.getElementById("f").submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
    const other = await h.context.newPage();
    const refused = other.waitForResponse((r) => r.url().endsWith("/api/scheduler/pause"), { timeout: 10_000 });
    await other.goto(evilUrl);
    expect((await refused).status()).toBe(403);
    evil.close();
    expect((await h.t.redis.hget(h.t.keys.schedulerState(), "paused")) ?? "0").toBe("0");
    // the same request as a forged cross-site one, from outside a browser
    const forged: Array<Record<string, string>> = [{ "sec-fetch-site": "cross-site" }, { origin: "http://evil.example" }, { "sec-fetch-site": "same-site" }];
    for (const headers of forged) {
      const res = await fetch(`${h.server.url}/api/scheduler/pause`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: "{}" });
      expect(res.status).toBe(403);
    }
    expect((await h.t.redis.hget(h.t.keys.schedulerState(), "paused")) ?? "0").toBe("0");
    // from its own page, the confirmed button works
    page.once("dialog", (d) => void d.accept());
    await page.getByTestId("scheduler-pause").click();
    await expect.poll(() => page.getByTestId("scheduler-state").textContent(), { timeout: 10_000 }).toBe("paused");
    expect(await h.t.redis.hget(h.t.keys.schedulerState(), "paused")).toBe("1");
    await page.getByTestId("scheduler-resume").click();
    await expect.poll(() => page.getByTestId("scheduler-state").textContent(), { timeout: 10_000 }).toBe("running");
    await other.close();
    await page.close();
    // the refused form's 403 (and its favicon) is logged on the page it landed on; nothing else
    expect(h.errors.filter((e) => !e.startsWith(`${h.server.url}/api/scheduler/pause: `))).toEqual([]);
  });

  it("sends a nonce CSP with the page, and the page runs under it", async () => {
    const res = await fetch(`${h.server.url}/`);
    const csp = res.headers.get("content-security-policy") ?? "";
    const html = await res.text();
    const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    for (const tag of html.match(/<script[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${nonce}"`);
    const again = (await fetch(`${h.server.url}/`)).headers.get("content-security-policy");
    expect(again).not.toBe(csp);
  });
});

describe("console with a token", () => {
  it("asks for the token once, keeps it in an HttpOnly SameSite=Strict cookie, and refuses the API without it", async () => {
    const h = await startHarness("console-token", { daemon: false, deps: { token: "s3cret-token" } });
    try {
      const bare = await fetch(`${h.server.url}/api/overview`);
      expect(bare.status).toBe(401);
      const bearer = await fetch(`${h.server.url}/api/overview`, { headers: { authorization: "Bearer s3cret-token" } });
      expect(bearer.status).toBe(200);
      const wrong = await fetch(`${h.server.url}/api/overview`, { headers: { authorization: "Bearer nope" } });
      expect(wrong.status).toBe(401);

      const page = await h.open("/");
      await page.getByLabel("Token").fill("wrong");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect.poll(() => page.getByRole("alert").textContent(), { timeout: 10_000 }).toContain("not this console's token");
      await page.getByLabel("Token").fill("s3cret-token");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect.poll(() => page.locator("h1").first().textContent(), { timeout: 10_000 }).toBe("Overview");
      const [cookie] = await h.context.cookies();
      expect(cookie?.httpOnly).toBe(true);
      expect(cookie?.sameSite).toBe("Strict");
      expect(cookie?.value).not.toContain("s3cret-token");
      expect(await page.evaluate(() => document.cookie)).toBe("");
      // a new tab of the same browser is signed in already
      const second = await h.open("/workers");
      await expect.poll(() => second.locator("h1").first().textContent(), { timeout: 10_000 }).toBe("Workers");
      // the 401s of the wrong token are the only console errors
      expect(h.errors.every((e) => e.includes("401"))).toBe(true);
    } finally {
      await h.close();
    }
  });

  it("refuses to bind beyond loopback without a token", async () => {
    expect(checkBind("127.0.0.1", undefined)).toBeNull();
    expect(checkBind("::1", undefined)).toBeNull();
    expect(checkBind("localhost", undefined)).toBeNull();
    expect(checkBind("0.0.0.0", "t")).toBeNull();
    expect(checkBind("0.0.0.0", undefined)).toMatch(/--http 0\.0\.0\.0: .*needs a token: pass --http-token or set SCHEDULER_HTTP_TOKEN/);
    expect(checkBind("192.168.1.5", "  ")).toMatch(/needs a token/);
    const { testRedis } = await import("../helpers/redis.js");
    const t = await testRedis("console-bind");
    const deps = await consoleDeps(t);
    try {
      await expect(startConsoleServer({ host: "0.0.0.0", port: 0, deps })).rejects.toThrow(/needs a token/);
    } finally {
      deps.close();
      await t.cleanup();
    }
  });
});
