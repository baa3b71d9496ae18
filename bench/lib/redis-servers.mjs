// redis-servers of the bench's own: each on a port that was free (dist/base/free-port.js), in a
// fresh temp folder, stopped by the pid this file spawned and nothing else. A cluster of them is
// joined by `redis-cli --cluster create` (masters only: the bench measures spread, not failover).
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort } from "../../dist/base/free-port.js";
import { exited, sleep, waitFor } from "./common.mjs";

const run = promisify(execFile);

/** One redis-server (no persistence); `args` adds options, e.g. the cluster ones. */
export async function startServer(args = []) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `hs-bench-redis-${port}-`));
  const proc = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", ...args], { stdio: "ignore" });
  const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 1000, commandTimeout: 5000 });
  client.on("error", () => {});
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`redis-server on ${port} exited ${proc.exitCode}`);
      try {
        if (client.status !== "ready") await client.connect();
        return (await client.ping()) === "PONG";
      } catch {
        client.disconnect();
        return false;
      }
    },
    10_000,
    `redis-server on ${port}`,
    50,
  );
  return {
    port,
    client,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      client.disconnect();
      proc.kill("SIGKILL");
      await exited(proc, 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `n` masters joined into one cluster, ready once every node says cluster_state:ok. */
export async function startCluster(n = 3) {
  const servers = [];
  const stop = () => Promise.all(servers.map((s) => s.stop()));
  try {
    for (let i = 0; i < n; i++) servers.push(await startServer(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"]));
    await run("redis-cli", ["--cluster", "create", ...servers.map((s) => `127.0.0.1:${s.port}`), "--cluster-replicas", "0", "--cluster-yes"], { timeout: 30_000 });
    await waitFor(
      async () => {
        const infos = await Promise.all(servers.map((s) => s.client.call("CLUSTER", "INFO").then(String, () => "")));
        return infos.every((t) => t.includes("cluster_state:ok") && t.includes("cluster_slots_ok:16384") && t.includes(`cluster_known_nodes:${n}`));
      },
      20_000,
      "the bench cluster to agree",
      100,
    );
    // every node has applied the same epoch's view; a client that connects now sees one map
    await sleep(200);
  } catch (err) {
    await stop();
    throw err;
  }
  return { servers, url: `redis+cluster://${servers.map((s) => `127.0.0.1:${s.port}`).join(",")}`, stop };
}

/** INFO commandstats as { command: calls }. */
export async function commandCalls(client) {
  const calls = {};
  for (const line of String(await client.info("commandstats")).split("\n")) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (m) calls[m[1]] = Number(m[2]);
  }
  return calls;
}
