import { afterEach, describe, expect, it } from "vitest";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Job } from "../../src/queue/types.js";
import { emailNotifier, webhookNotifier, type MailMessage } from "../../src/patterns/notify.js";
import { runFailureHandlers, type JobFailure } from "../../src/worker/run-failure-handlers.js";

const job: Job = {
  id: "job-42",
  method: "my_app.tasks.sync_inventory",
  queue: "long",
  status: "failed",
  kwargs: { warehouse: "north" },
  timeout: 600,
  attempt: 4,
  createdAt: 1_000,
  stalls: 0,
};
const failure: JobFailure = { job, error: new Error("database is down"), attempts: 4 };

interface Received {
  body: Record<string, unknown>;
  headers: IncomingMessage["headers"];
}

let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
});

/** A local HTTP server answering with `statuses` in turn (the last one repeats); 127.0.0.1 only. */
async function startServer(statuses: Array<number | "hang">): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      received.push({ body: JSON.parse(raw) as Record<string, unknown>, headers: req.headers });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      if (status === "hang") return; // never answers: the client's timeout must fire
      res.writeHead(status).end("{}");
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/job-failed`, received };
}

describe("webhookNotifier", () => {
  it("POSTs the failure as JSON, retrying a 500 and then succeeding", async () => {
    const { url, received } = await startServer([500, 200]);
    const notify = webhookNotifier({ url, backoffMs: 10, headers: { authorization: "Bearer t0k" }, clock: () => 5_000 });
    await notify(failure);
    expect(received.length).toBe(2);
    expect(received[1]!.headers["content-type"]).toBe("application/json");
    expect(received[1]!.headers.authorization).toBe("Bearer t0k");
    expect(received[1]!.body).toMatchObject({
      event: "job.failed",
      at: 5_000,
      job: { id: "job-42", method: "my_app.tasks.sync_inventory", queue: "long", kwargs: { warehouse: "north" } },
      error: { name: "Error", message: "database is down" },
      attempts: 4,
    });
    expect(received[0]!.body).toEqual(received[1]!.body); // the same delivery, retried
  });

  it("gives up after its retries with the last status, and does not retry a 4xx", async () => {
    const five = await startServer([503]);
    await expect(webhookNotifier({ url: five.url, retries: 2, backoffMs: 5 })(failure)).rejects.toThrow(/gave up after 3 tries: HTTP 503/);
    expect(five.received.length).toBe(3);
    await new Promise((r) => server!.close(r));

    const four = await startServer([404]);
    await expect(webhookNotifier({ url: four.url, retries: 3, backoffMs: 5 })(failure)).rejects.toThrow(/HTTP 404 \(not retried\)/);
    expect(four.received.length).toBe(1);
  });

  it("retries a request that times out, and a refused connection", async () => {
    const slow = await startServer(["hang", 200]);
    await webhookNotifier({ url: slow.url, timeoutMs: 200, backoffMs: 5 })(failure);
    expect(slow.received.length).toBe(2);
    const port = Number(new URL(slow.url).port);
    await new Promise((r) => {
      server!.closeAllConnections();
      server!.close(r);
    });
    server = undefined;
    const delays: number[] = [];
    await expect(
      webhookNotifier({ url: `http://127.0.0.1:${port}/gone`, retries: 2, backoffMs: 100, sleep: async (ms) => void delays.push(ms) })(failure),
    ).rejects.toThrow(/gave up after 3 tries/);
    expect(delays).toEqual([100, 200]); // exponential backoff
  });

  it("rejects a bad URL when it is configured, not when a job fails", () => {
    expect(() => webhookNotifier({ url: "not a url" })).toThrow('webhookNotifier: url is not a valid URL: "not a url"');
    expect(() => webhookNotifier({ url: "ftp://example.test/x" })).toThrow("webhookNotifier: url must be http(s), got ftp:");
  });
});

describe("emailNotifier", () => {
  it("sends the failure through any transport with sendMail (nodemailer's shape)", async () => {
    const sent: MailMessage[] = [];
    const transport = { sendMail: async (m: MailMessage) => void sent.push(m) };
    await emailNotifier({ transport, from: "jobs@example.test", to: ["admin@example.test"] })(failure);
    expect(sent.length).toBe(1);
    expect(sent[0]!.subject).toBe("Job failed: my_app.tasks.sync_inventory");
    expect(sent[0]!.to).toEqual(["admin@example.test"]);
    expect(sent[0]!.text).toContain('Job job-42 (my_app.tasks.sync_inventory) failed on queue "long" after 4 attempt(s).');
    expect(sent[0]!.text).toContain("Error: Error: database is down");
    expect(sent[0]!.text).toContain('"warehouse": "north"');
    expect(() => emailNotifier({ transport: {} as never, from: "a", to: "b" })).toThrow(/transport must have a sendMail/);
  });
});

describe("runFailureHandlers", () => {
  it("runs every handler, isolating a throwing one and abandoning a hung one after timeoutMs", async () => {
    const logged: Array<[object, string | undefined]> = [];
    const logger = { error: (obj: object, msg?: string) => void logged.push([obj, msg]) };
    const calls: string[] = [];
    let hungSignal: AbortSignal | undefined;
    const started = Date.now();
    const report = await runFailureHandlers(
      [
        function throwsAtOnce() {
          calls.push("throws");
          throw new Error("smtp refused");
        },
        async function hangs(_f, scope) {
          calls.push("hangs");
          hungSignal = scope?.signal;
          await new Promise(() => {});
        },
        async (f) => void calls.push(`ok:${f.job.id}`),
      ],
      failure,
      logger,
      { timeoutMs: 200 },
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(calls.sort()).toEqual(["hangs", "ok:job-42", "throws"]);
    expect(report.ok).toBe(1);
    expect(report.failed).toEqual([
      { handler: "throwsAtOnce", error: "smtp refused" },
      { handler: "hangs", error: "failure handler hangs did not finish within 200 ms" },
    ]);
    expect(hungSignal?.aborted).toBe(true);
    expect(logged.map(([, msg]) => msg)).toEqual([
      "failure handler throwsAtOnce failed for job job-42: smtp refused",
      "failure handler hangs failed for job job-42: failure handler hangs did not finish within 200 ms",
    ]);
    expect(logged[0]![0]).toMatchObject({ handler: "throwsAtOnce", jobId: "job-42", queue: "long" });
  });

  it("with a webhook that keeps failing, resolves (never rejects) and reports it", async () => {
    const { url } = await startServer([500]);
    const logged: string[] = [];
    const report = await runFailureHandlers([webhookNotifier({ url, retries: 1, backoffMs: 5 })], failure, {
      error: (_o, msg) => void logged.push(msg ?? ""),
    });
    expect(report.ok).toBe(0);
    expect(report.failed[0]!.handler).toBe("webhook");
    expect(logged[0]).toMatch(/gave up after 2 tries: HTTP 500/);
  });
});
