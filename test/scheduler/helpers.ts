/** Shared by the scheduler's Redis tests: spawn fixture daemons, drain their jobs. */
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { createRedis } from "../../src/redis/connection.js";
import { dequeue, completeJob } from "../../src/queue/lifecycle.js";
import type { QueueEnv } from "../../src/queue/context.js";
import type { Job } from "../../src/queue/types.js";
import { spawnNode, watch, type Watched } from "../helpers/spawn.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/run-scheduler.mjs", import.meta.url));
const BUILT = fileURLToPath(new URL("../../dist/scheduler/scheduler.js", import.meta.url));

export interface Daemon extends Watched {
  /** Whether its last `{ leader }` line said it leads. */
  leader(): boolean;
}

/** The fixture scheduler daemon (fixtures/run-scheduler.mjs on the built dist/), watched. */
export function spawnDaemon(vars: Record<string, string>): Daemon {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first (npm test does)`);
  const w = watch(spawnNode(FIXTURE, [], { env: vars }));
  return {
    ...w,
    leader: () => {
      const changes = w.lines.filter((l) => "leader" in l);
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
