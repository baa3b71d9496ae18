/** Shared by the scheduler's Redis tests: spawn fixture daemons, drain their jobs. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { createRedis } from "../../src/redis/connection.js";
import { dequeue, completeJob } from "../../src/queue/lifecycle.js";
import type { QueueEnv } from "../../src/queue/context.js";
import type { Job } from "../../src/queue/types.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/run-scheduler.mjs", import.meta.url));
const BUILT = fileURLToPath(new URL("../../dist/scheduler/scheduler.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface Daemon {
  proc: ChildProcess;
  lines: Array<Record<string, unknown>>;
  leader(): boolean;
  exited: Promise<number | null>;
}

export function spawnDaemon(vars: Record<string, string>): Daemon {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first (npm test does)`);
  const proc = spawn(process.execPath, [FIXTURE], {
    cwd: ROOT,
    env: { ...process.env, ...vars },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Array<Record<string, unknown>> = [];
  let buf = "";
  proc.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* not ours */
      }
    }
  });
  proc.stderr!.on("data", (d: Buffer) => process.stderr.write(`[daemon ${proc.pid}] ${d}`));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return {
    proc,
    lines,
    exited,
    leader: () => {
      const changes = lines.filter((l) => "leader" in l);
      return changes.length > 0 && changes[changes.length - 1]!.leader === true;
    },
  };
}

/** A worker stand-in: dequeue and complete every job of `queue` as it arrives, keeping each. */
export function startDrain(env: QueueEnv, url: string, queue: string) {
  const jobs: Job[] = [];
  // createRedis: the same URL may name a cluster (the on-cluster project).
  const blocking = createRedis(url, { blocking: true });
  let running = true;
  const done = (async () => {
    while (running) {
      const job = await dequeue(env, { queues: [queue], worker: "drain", leaseMs: 30_000 });
      if (job) {
        jobs.push(job);
        await completeJob(env, { job, worker: "drain", result: null });
        continue;
      }
      await blocking.blpop(env.keys.wake(queue), 0.2).catch(() => null);
    }
  })();
  return {
    jobs,
    async stop() {
      running = false;
      await done;
      blocking.disconnect();
    },
  };
}
