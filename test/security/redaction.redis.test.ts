/**
 * Secrets masked where job data leaves the worker (hooks `redact`, else the default list), and
 * control characters from Redis shown escaped on human output: `jobs`, `jobs show`, `logs`,
 * `status`, the webhook and email notifiers, process logs and the event stream.
 */
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/settings/resolve.js";
import { validateHooks } from "../../src/hooks/validate.js";
import { appendEvent } from "../../src/log/events.js";
import { createLogger } from "../../src/log/logger.js";
import { emailNotifier, webhookNotifier } from "../../src/patterns/notify.js";
import type { JobFailure } from "../../src/worker/run-failure-handlers.js";
import { enqueueWith } from "../../src/queue/enqueue.js";
import type { Job } from "../../src/queue/types.js";
import { touchWorker } from "../../src/worker/supervisor/worker-records.js";
import { DEFAULT_REDACT_KEYS } from "../../src/security/redact.js";
import { useRedactKeys } from "../../src/security/redact-config.js";
import { runCli } from "../helpers/spawn.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";
import { SECURITY_HOOKS, SECURITY_QUEUES } from "./helpers.js";

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis("sec-redact");
});
afterAll(async () => {
  useRedactKeys(undefined);
  await t.cleanup();
});

const env = () => ({ redis: t.redis, keys: t.keys, clock: () => Date.now(), queues: SECURITY_QUEUES, retention: { finished: 600, failed: 600 } });
const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
  runCli([...args, "--hooks", SECURITY_HOOKS, "--redis", t.url, "--prefix", t.prefix], { env: { SECURITY_REDIS_URL: t.url, ...extra }, timeoutMs: 20_000 });

const KWARGS = { user: "ann", password: "pw-SECRET-1", nested: { deeper: [{ api_key: "key-SECRET-2" }], Authorization: "Bearer tok-SECRET-3" }, dsn: "postgres://app:url-SECRET-4@db/x", pin: "pin-SECRET-5" };
const SECRETS = /SECRET-[1-4]/;

function failure(kwargs: Record<string, unknown> = KWARGS): JobFailure {
  const job = { id: "j1", method: "app.tasks.fails", queue: "default", status: "failed", kwargs, timeout: 30, attempt: 1, createdAt: 0, stalls: 0 } as Job;
  return { job, error: { name: "Error", message: "could not reach redis://:url-SECRET-4@cache:6379" }, attempts: 1 };
}

describe("hooks `redact`", () => {
  it("validates, resolves (default list when absent), and replaces the default", () => {
    expect(validateHooks({ redact: "password" }, "/app/hooks.ts", { unknownKeys: "all" })[0]?.message).toMatch(/must be a list of key names/);
    const hooks = (definition: Record<string, unknown>) => ({ file: "/app/hooks.ts", definition, tasks: [] });
    expect(resolveConfig({ hooks: hooks({}), env: {} }).redact).toEqual(DEFAULT_REDACT_KEYS);
    expect(resolveConfig({ hooks: hooks({ redact: ["pin", "password"] }), env: {} }).redact).toEqual(["pin", "password"]);
    useRedactKeys(undefined);
  });
});

describe("notifiers", () => {
  it("the webhook body has every matching key masked at any depth, and URL passwords", async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        bodies.push(body);
        res.end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      await webhookNotifier({ url: `http://127.0.0.1:${port}/hook`, retries: 0 })(failure());
      await webhookNotifier({ url: `http://127.0.0.1:${port}/hook`, retries: 0, redact: ["pin"] })(failure());
    } finally {
      server.close();
    }
    expect(bodies[0]).not.toMatch(SECRETS);
    const sent = JSON.parse(bodies[0]!) as { job: { kwargs: typeof KWARGS }; error: { message: string } };
    expect(sent.job.kwargs.user).toBe("ann");
    expect(sent.job.kwargs.nested.deeper[0]!.api_key).toBe("[redacted]");
    expect(sent.error.message).toBe("could not reach redis://:***@cache:6379");
    // Its own list: only pin masked by key (URL passwords always).
    expect(bodies[1]).toContain("pw-SECRET-1");
    expect(bodies[1]).not.toContain("pin-SECRET-5");
  });

  it("the email text too, with the hooks list in use", async () => {
    const sent: string[] = [];
    useRedactKeys(["pin", "password", "api_key", "authorization"]);
    try {
      await emailNotifier({ transport: { sendMail: async (m) => void sent.push(m.text) }, from: "a@x", to: "b@x" })(failure());
    } finally {
      useRedactKeys(undefined);
    }
    expect(sent[0]).not.toMatch(/SECRET-[1-5]/);
    expect(sent[0]).toContain('"user": "ann"');
  });
});

describe("logs and the event stream", () => {
  it("process log lines mask secret keys and URL passwords", async () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (d) => (text += d));
    const log = createLogger({ name: "test", console: out, pretty: false });
    log.info({ kwargs: KWARGS }, "connecting to redis://u:url-SECRET-4@h:1");
    await new Promise((r) => setImmediate(r));
    expect(text).toContain('"user":"ann"');
    expect(text).not.toMatch(SECRETS);
  });

  it("events are stored masked, and `logs` shows them masked", async () => {
    await appendEvent(t.redis, t.keys, { type: "log", level: "info", at: Date.now(), msg: "sync with redis://:url-SECRET-4@h failed", data: { kwargs: KWARGS } });
    const raw = (await t.redis.xrange(t.keys.events(), "-", "+")).map(([, f]) => f[1]).join("\n");
    expect(raw).toContain("[redacted]");
    expect(raw).not.toMatch(SECRETS);
    // An event written raw (an older version, or another writer) is masked when shown.
    await t.redis.xadd(t.keys.events(), "*", "e", JSON.stringify({ type: "log", level: "info", at: Date.now(), msg: "raw redis://:url-SECRET-4@h", data: { token: "tok-SECRET-3" } }));
    for (const args of [["logs", "--json"], ["logs"]]) {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("raw redis://:***@h");
      expect(r.stdout).not.toMatch(SECRETS);
    }
  });
});

describe("jobs show", () => {
  it("masks kwargs in text and JSON", async () => {
    const id = ((await enqueueWith(env(), "app.tasks.record", { ...KWARGS })) as Job).id;
    for (const args of [["jobs", "show", id], ["jobs", "show", id, "--json"], ["jobs", "--json"]]) {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("ann");
      expect(r.stdout).not.toMatch(SECRETS);
    }
    // hooks `redact` (SECURITY_REDACT feeds the fixture's list) replaces the default.
    const own = await cli(["jobs", "show", id, "--json"], { SECURITY_REDACT: "pin" });
    expect(own.stdout).not.toContain("pin-SECRET-5");
    expect(own.stdout).toContain("pw-SECRET-1");
  });
});

describe("control characters from Redis", () => {
  const ESC = "\u001b";
  it("are shown escaped by jobs, jobs show, logs and status", async () => {
    const id = `evil${ESC}[2J${ESC}]0;pwned${String.fromCharCode(7)}-${randomUUID().slice(0, 8)}`;
    const now = Date.now();
    await t.redis
      .multi()
      .hset(t.keys.job(id, t.keys.jobTag("default")), { method: `app.tasks.x${ESC}[31m`, queue: "default", kwargs: JSON.stringify({ note: `a\u009b2Jb` }), timeout: "30", createdAt: String(now), enqueuedAt: String(now), status: "queued" })
      .rpush(t.keys.queue("default"), id)
      .sadd(t.keys.queues(), "default")
      .exec();
    await appendEvent(t.redis, t.keys, { type: "log", level: "info", at: now, msg: `line${ESC}[1A${ESC}[2Koverwritten\rx`, jobId: id });
    await touchWorker({ redis: t.redis, keys: t.keys, clock: () => Date.now() }, { name: `w${ESC}[2J`, host: `h${ESC}[5m`, pid: 1, supervisorPid: 1, queues: ["default"], group: "g", startedAt: now }, { currentJobs: [], done: 0, failed: 0, state: "idle" }, 60_000);
    for (const args of [["jobs"], ["jobs", "show", id], ["logs"], ["status"]]) {
      const r = await cli(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect(r.stdout, args.join(" ")).not.toMatch(/[\u001b\u0007\u009b\r]/);
      expect(r.stdout, args.join(" ")).toContain("\\x1b");
    }
  });
});
