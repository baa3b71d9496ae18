/**
 * A local Sentinel set of the test's own: 1 master, 1 replica (test/reliability redis-servers)
 * and 3 `redis-server <conf> --sentinel` watching the master as "mymaster" (quorum 2,
 * down-after 1 s), on ports that were free. Stopped by pid (only what this file started); the
 * sentinels' pid files sit with the servers' (PID_DIR), so an aborted run's orphans are reaped.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { answers, PID_DIR, reapOrphans, redisServer, type RedisServer } from "../reliability/helpers/redis-server.js";
import { freePort } from "../../src/base/free-port.js";
import { waitFor } from "./redis.js";

export const MASTER_NAME = "mymaster";

export interface RedisSentinelHandle {
  master: RedisServer;
  replica: RedisServer;
  sentinelPorts: number[];
  /** redis+sentinel://127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3/mymaster */
  url: string;
  /** The port the sentinels name as master now. */
  masterPort(): Promise<number>;
  /** SENTINEL FAILOVER: promote the replica now (no kill). */
  failover(): Promise<void>;
  stop(): Promise<void>;
}

interface SentinelProc {
  port: number;
  dir: string;
  proc: ChildProcess;
  pidFile: string;
}

async function startSentinel(masterPort: number): Promise<SentinelProc> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `hs-sentinel-${port}-`));
  const conf = join(dir, "sentinel.conf");
  writeFileSync(
    conf,
    [
      `port ${port}`,
      "bind 127.0.0.1",
      `dir ${dir}`,
      `logfile ${join(dir, "sentinel.log")}`,
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
      `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
      `sentinel failover-timeout ${MASTER_NAME} 5000`,
      `sentinel parallel-syncs ${MASTER_NAME} 1`,
      "",
    ].join("\n"),
  );
  const proc = spawn("redis-server", [conf, "--sentinel"], { stdio: "ignore" });
  const pidFile = join(PID_DIR, `${port}.json`);
  if (proc.pid !== undefined) {
    mkdirSync(PID_DIR, { recursive: true });
    writeFileSync(pidFile, JSON.stringify({ pid: proc.pid, port, dir, owner: process.pid }));
  }
  await waitFor(() => answers(port), 10_000, 50);
  return { port, dir, proc, pidFile };
}

async function stopSentinel(s: SentinelProc): Promise<void> {
  if (s.proc.exitCode === null && s.proc.signalCode === null) {
    const gone = new Promise((r) => s.proc.once("exit", r));
    s.proc.kill("SIGKILL");
    await gone;
  }
  rmSync(s.dir, { recursive: true, force: true });
  rmSync(s.pidFile, { force: true });
}

function sentinelClient(port: number): Redis {
  const r = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 1, connectTimeout: 1000, commandTimeout: 3000, retryStrategy: () => null, lazyConnect: true });
  r.on("error", () => {});
  return r;
}

export async function startRedisSentinel(): Promise<RedisSentinelHandle> {
  reapOrphans();
  const master = await redisServer();
  const replica = await redisServer();
  const sentinels: SentinelProc[] = [];
  const stop = async () => {
    await Promise.all(sentinels.map(stopSentinel));
    await Promise.all([master.stop(), replica.stop()]);
  };
  try {
    await master.start();
    // A replica may be promoted later: it must accept writes then (replica-read-only only matters while a replica).
    await replica.start();
    const r = new Redis({ port: replica.port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
    await r.call("REPLICAOF", "127.0.0.1", String(master.port));
    await waitFor(async () => /master_link_status:up/.test(String(await r.info("replication"))), 10_000, 50);
    r.disconnect();
    for (let i = 0; i < 3; i++) sentinels.push(await startSentinel(master.port));
    // Every sentinel sees the replica and the other two sentinels before the set is ready.
    await waitFor(
      async () => {
        const ok = await Promise.all(
          sentinels.map(async (s) => {
            const c = sentinelClient(s.port);
            try {
              const m = (await c.call("SENTINEL", "MASTER", MASTER_NAME)) as string[];
              const f: Record<string, string> = {};
              for (let k = 0; k < m.length; k += 2) f[m[k]!] = m[k + 1]!;
              return Number(f["num-slaves"]) >= 1 && Number(f["num-other-sentinels"]) >= 2;
            } catch {
              return false;
            } finally {
              c.disconnect();
            }
          }),
        );
        return ok.every(Boolean);
      },
      20_000,
      100,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const masterPort = async (): Promise<number> => {
    for (const s of sentinels) {
      const c = sentinelClient(s.port);
      try {
        const [, port] = (await c.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)) as [string, string];
        return Number(port);
      } catch {
        // next sentinel
      } finally {
        c.disconnect();
      }
    }
    throw new Error("no sentinel answers");
  };
  return {
    master,
    replica,
    sentinelPorts: sentinels.map((s) => s.port),
    url: `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(",")}/${MASTER_NAME}`,
    masterPort,
    async failover() {
      const c = sentinelClient(sentinels[0]!.port);
      try {
        await c.call("SENTINEL", "FAILOVER", MASTER_NAME);
      } finally {
        c.disconnect();
      }
    },
    stop,
  };
}
