/**
 * A dequeue whose answer is lost: Redis runs the script (the job is leased to the worker) but
 * the reply never reaches the worker, because the connection drops first. A TCP proxy between
 * the daemon and Redis drops exactly that reply on the worker child's command connection and
 * cuts it. After reconnecting, the worker must find the job among its leases in Redis and give
 * it back at once without counting a stall, instead of leaving it to lapse and be requeued as
 * "worker died" with stalls=1.
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import { Redis } from "ioredis";
import { loadScript } from "../../src/redis/scripts.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_REDIS_DB, testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { LOST_DEQUEUE_REASON } from "../../src/worker/child/lost-dequeues.js";
import { enqueueN, relEnv } from "../reliability/helpers/env.js";

const DEQUEUE_SHA = loadScript("dequeue").sha;
import { APP_HOOKS, spawnScheduler } from "../reliability/helpers/procs.js";
import { type Watched } from "../helpers/spawn.js";

/** Forwards to 127.0.0.1:6379; once armed, drops the reply to the next script call of a worker child's command connection, then cuts that connection. */
class AnswerDropper {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  armed = false;
  cuts = 0;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const a = this.server.address();
    this.port = typeof a === "object" && a ? a.port : 0;
  }

  private pipe(client: Socket): void {
    const upstream = connect(6379, "127.0.0.1");
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => this.sockets.delete(s));
    }
    let name: string | undefined;
    let dropNext = false;
    client.on("data", (chunk: Buffer) => {
      const text = chunk.toString("latin1");
      name ??= /setname\r\n\$\d+\r\n([^\r]+)\r\n/i.exec(text)?.[1];
      // A child's command connection: named after its worker, no ":" (":wait" is its blocking one).
      const child = name !== undefined && !name.includes(":") && !name.startsWith("hs-");
      // Only the take itself: a heartbeat or another script of the child must not be the one cut.
      if (this.armed && child && (text.includes(DEQUEUE_SHA) || /dequeue\.lua/.test(text))) {
        this.armed = false;
        dropNext = true;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (dropNext) {
        this.cuts++;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

describe("a dequeue whose answer was lost", () => {
  let t: TestRedis;
  const proxy = new AnswerDropper();
  let daemon: Watched | undefined;

  beforeAll(async () => {
    t = await testRedis("lost-dequeue");
    await proxy.start();
  });
  afterAll(async () => {
    await daemon?.kill9();
    await proxy.stop();
    await t.cleanup();
  });

  it("the worker gives the job back at once after reconnecting: no stall, no 'worker died'", async () => {
    const url = `redis://127.0.0.1:${proxy.port}/${TEST_REDIS_DB}`;
    daemon = spawnScheduler("start", APP_HOOKS, url, t.prefix, ["--no-scheduler", "--queue", "default"], { recordUrl: t.url });
    const direct = new Redis(t.url);
    const env = relEnv(direct, t.keys);
    try {
      const rec = `${t.keys.root}:rec`;
      // A first job loads the scripts (a dropped NOSCRIPT reply would lease nothing).
      const [warm] = await enqueueN(env, 1, "app.tasks.work", { rec });
      await waitFor(async () => (await direct.hget(rec, warm!)) === "1", 30_000).catch(() => {
        throw new Error(`the warm-up job did not run:\n${daemon!.output().slice(-3000)}`);
      });

      proxy.armed = true;
      const [id] = await enqueueN(env, 1, "app.tasks.work", { rec });
      await waitFor(() => proxy.cuts === 1, 15_000);
      const cutAt = Date.now();
      await waitFor(async () => (await direct.hget(t.keys.job(id!), "status")) === "finished", 30_000).catch(() => {
        throw new Error(`the job did not finish:\n${daemon!.output().slice(-3000)}`);
      });
      const took = Date.now() - cutAt;

      expect(await direct.hget(rec, id!)).toBe("1");
      expect(Number((await direct.hget(t.keys.job(id!), "stalls")) ?? 0)).toBe(0);
      const attempts = (await direct.lrange(t.keys.attempts(id!), 0, -1)).map((a) => JSON.parse(a) as { outcome: string; reason?: string });
      expect(attempts.map((a) => a.outcome)).toEqual(["requeued", "finished"]);
      expect(attempts[0]!.reason).toBe(LOST_DEQUEUE_REASON);
      expect(daemon.output()).toContain("gave back jobs leased by a dequeue whose answer was lost");
      // Given back on reconnect, not when the 6 s lease lapsed.
      expect(took).toBeLessThan(6_000);
      expect((await daemon.stop()).code).toBe(0);
    } finally {
      direct.disconnect();
    }
  });
});
