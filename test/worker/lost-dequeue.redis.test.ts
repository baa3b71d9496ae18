/**
 * A dequeue whose answer is lost: Redis runs the script (the job is leased to the worker) but
 * the reply never reaches the worker, because the connection drops first. A TCP proxy between
 * the daemon and Redis drops exactly that reply on one of the worker child's connections and
 * cuts it: the blocking one, whose idle wait brings the job with the wake-up
 * (dequeue_woken.lua), or the command one, which dequeues while jobs are queued. After
 * reconnecting, the worker must find the job among its leases in Redis and give it back at once
 * without counting a stall, instead of leaving it to lapse and be requeued as "worker died" with
 * stalls=1.
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_REDIS_DB, testRedis, waitFor, type TestRedis } from "../helpers/redis.js";
import { LOST_DEQUEUE_REASON } from "../../src/worker/child/lost-dequeues.js";
import { enqueueN, relEnv } from "../reliability/helpers/env.js";
import { enqueueManyWith } from "../../src/queue/enqueue-many.js";

type ConnectionKind = "wait" | "command";
import { APP_HOOKS, spawnScheduler } from "../reliability/helpers/procs.js";
import { type Watched } from "../helpers/spawn.js";

/**
 * Forwards to 127.0.0.1:6379; once armed with a connection kind, drops the first answer on such a
 * connection of a worker child that carries a leased job of `task` (a dequeue's answer: the job
 * hash), then cuts that connection.
 */
class AnswerDropper {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  armed: ConnectionKind | undefined;
  task = "app.tasks.work";
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
    client.on("data", (chunk: Buffer) => {
      name ??= /setname\r\n\$\d+\r\n([^\r]+)\r\n/i.exec(chunk.toString("latin1"))?.[1];
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      // A child's connections are named after its worker: "<worker>" for commands, "<worker>:wait" for the blocking one.
      const kind: ConnectionKind | undefined = name === undefined || name.startsWith("hs-") ? undefined : name.endsWith(":wait") ? "wait" : name.includes(":") ? undefined : "command";
      // Only an answer with the job in it: a completion's or a heartbeat's must not be the one cut.
      if (this.armed !== undefined && kind === this.armed && chunk.toString("latin1").includes(this.task)) {
        this.armed = undefined;
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
  let direct: Redis;
  let env: ReturnType<typeof relEnv>;
  let rec: string;

  beforeAll(async () => {
    t = await testRedis("lost-dequeue");
    await proxy.start();
    const url = `redis://127.0.0.1:${proxy.port}/${TEST_REDIS_DB}`;
    daemon = spawnScheduler("start", APP_HOOKS, url, t.prefix, ["--no-scheduler", "--queue", "default"], { recordUrl: t.url });
    direct = new Redis(t.url);
    env = relEnv(direct, t.keys);
    rec = `${t.keys.root}:rec`;
    // A first job loads the scripts (a dropped NOSCRIPT reply would lease nothing).
    const [warm] = await enqueueN(env, 1, "app.tasks.work", { rec });
    await waitFor(async () => (await direct.hget(rec, warm!)) === "1", 30_000).catch(() => {
      throw new Error(`the warm-up job did not run:\n${daemon!.output().slice(-3000)}`);
    });
  }, 60_000);
  afterAll(async () => {
    direct?.disconnect();
    await daemon?.kill9();
    await proxy.stop();
    await t.cleanup();
  });

  /** Arm the proxy for `kind`, enqueue `ids()`, and check that `lost` (one of them) came back at once and ran once. */
  async function loseAndRecover(kind: ConnectionKind, enqueue: () => Promise<string[]>, lostIndex: number): Promise<void> {
    proxy.armed = kind;
    const ids = await enqueue();
    await waitFor(() => proxy.armed === undefined, 15_000);
    const cutAt = Date.now();
    // every job here is on the default queue: its keys are on that queue's job tag
    const tag = t.keys.jobTag("default");
    for (const id of ids) {
      await waitFor(async () => (await direct.hget(t.keys.job(id, tag), "status")) === "finished", 30_000).catch(() => {
        throw new Error(`job ${id} did not finish:\n${daemon!.output().slice(-3000)}`);
      });
    }
    const took = Date.now() - cutAt;
    const id = ids[lostIndex]!;
    for (const each of ids) {
      expect(await direct.hget(rec, each)).toBe("1");
      expect(Number((await direct.hget(t.keys.job(each, tag), "stalls")) ?? 0)).toBe(0);
    }
    const attempts = (await direct.lrange(t.keys.attempts(id, tag), 0, -1)).map((a) => JSON.parse(a) as { outcome: string; reason?: string });
    expect(attempts.map((a) => a.outcome)).toEqual(["requeued", "finished"]);
    expect(attempts[0]!.reason).toBe(LOST_DEQUEUE_REASON);
    expect(daemon!.output()).toContain("gave back jobs leased by a dequeue whose answer was lost");
    // Given back on reconnect, not when the 6 s lease lapsed.
    expect(took).toBeLessThan(6_000);
  }

  it("on the blocking connection (the idle wait's dequeue): the job is given back at once after reconnecting, no stall, no 'worker died'", async () => {
    const cuts = proxy.cuts;
    await loseAndRecover("wait", () => enqueueN(env, 1, "app.tasks.work", { rec }), 0);
    expect(proxy.cuts).toBe(cuts + 1);
  }, 60_000);

  it("on the command connection (a dequeue while jobs are queued): given back at once too, no stall", async () => {
    const cuts = proxy.cuts;
    // Two jobs in one call into the idle child (concurrency 2): the wait's own dequeue takes the
    // first, the dequeue sent next on the command connection the second.
    await loseAndRecover("command", async () => (await enqueueManyWith(env, [0, 1].map(() => ({ method: "app.tasks.work", options: { rec, ms: 300 } })))).map((j) => j.id), 1);
    expect(proxy.cuts).toBe(cuts + 1);
    expect((await daemon!.stop()).code).toBe(0);
  }, 60_000);
});
