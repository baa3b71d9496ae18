/**
 * Probes. GET /healthz: the process is alive (200, no Redis call: a liveness probe must not
 * restart a daemon because Redis is down). GET /readyz: Redis answers, this daemon's workers
 * are up and its scheduler is running (leading or standing by): 200, else 503 with the reasons.
 */
import type { FastifyInstance } from "fastify";
import type { HttpDeps } from "../types.js";

export const READY_PING_TIMEOUT_MS = 1000;

export interface Readiness {
  ready: boolean;
  reasons: string[];
  redis: "up" | "down";
  scheduler?: "leader" | "standby" | "stopped";
  workers?: { up: number; total: number };
}

export async function readiness(deps: HttpDeps): Promise<Readiness> {
  const reasons: string[] = [];
  let redis: Readiness["redis"] = "up";
  try {
    await pingWithin(deps, READY_PING_TIMEOUT_MS);
  } catch (err) {
    redis = "down";
    reasons.push(`redis: ${err instanceof Error ? err.message : String(err)}`);
  }
  const out: Readiness = { ready: false, reasons, redis };
  const sched = deps.runtime?.scheduler?.();
  if (sched) {
    out.scheduler = !sched.running ? "stopped" : sched.leader ? "leader" : "standby";
    if (!sched.running) reasons.push("scheduler: not running");
  }
  const workers = deps.runtime?.workers?.();
  if (workers) {
    const up = workers.filter((w) => w.state === "idle" || w.state === "busy").length;
    out.workers = { up, total: workers.length };
    const down = workers.filter((w) => w.state !== "idle" && w.state !== "busy");
    for (const w of down) reasons.push(`workers: ${w.group} #${w.slot} is ${w.state}`);
  }
  out.ready = reasons.length === 0;
  return out;
}

function pingWithin(deps: HttpDeps, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    deps.redis.ping().then(() => undefined),
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to PING within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export async function registerHealthRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  app.get("/healthz", async () => ({ status: "ok", role: deps.role }));
  app.get("/readyz", async (_req, reply) => {
    const r = await readiness(deps);
    return reply.code(r.ready ? 200 : 503).send(r);
  });
}
