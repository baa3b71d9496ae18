/**
 * Bulk actions on a filtered set: GET /api/jobs/bulk/count says how many jobs a filter selects;
 * POST /api/jobs/bulk { action: "retry" | "delete", queue?, state, task?, expect } acts only when
 * `expect` equals the count now, so what the user confirmed is what happens (else 409 with the
 * new count). Retry takes failed or canceled jobs; delete takes any state but started.
 */
import type { FastifyInstance } from "fastify";
import { countPurgeable, purgeJobs, PURGEABLE, type PurgeStatus } from "../../ops/purge.js";
import { parseStatus } from "../../ops/job-states.js";
import { requeue } from "../../queue/registry.js";
import { SchedulerError } from "../../base/errors.js";
import { ApiError, param, sendError, type ApiContext } from "./context.js";
import { jobField } from "../../queue/job-fields.js";

const RETRYABLE = ["failed", "canceled"];
/** Ids read per page while retrying (each requeue is its own script). */
const PAGE = 500;

interface BulkFilter {
  queue?: string;
  status: PurgeStatus;
  task?: string;
}

function filterOf(source: Record<string, unknown>): BulkFilter {
  const raw = typeof source.state === "string" ? source.state : "";
  const status = parseStatus(raw);
  if (!status || !(PURGEABLE as readonly string[]).includes(status)) {
    throw new ApiError(400, "BAD_PARAM", `state "${raw}" cannot be acted on in bulk: use one of ${PURGEABLE.join(", ")}`);
  }
  const queue = typeof source.queue === "string" && source.queue !== "" ? source.queue : undefined;
  const task = typeof source.task === "string" && source.task !== "" ? source.task : undefined;
  return { status: status as PurgeStatus, ...(queue ? { queue } : {}), ...(task ? { task } : {}) };
}

async function countOf(ctx: ApiContext, f: BulkFilter): Promise<number> {
  return Object.values(await countPurgeable(ctx.env, f)).reduce((a, b) => a + b, 0);
}

async function retryAll(ctx: ApiContext, f: BulkFilter): Promise<number> {
  const { env } = ctx;
  const queues = f.queue ? [f.queue] : Object.keys(await countPurgeable(env, f));
  let done = 0;
  for (const q of queues) {
    const key = f.status === "failed" ? env.keys.failed(q) : env.keys.canceled(q);
    // Requeued ids leave the set; kept ones (other tasks) stay, so the offset skips only those.
    for (let offset = 0; ; ) {
      const ids = await env.redis.zrange(key, offset, offset + PAGE - 1);
      if (ids.length === 0) break;
      // one queue's jobs: one tag, one pipeline
      const pipe = env.redis.pipeline();
      for (const id of ids) pipe.hmget(env.keys.job(id, env.keys.jobTag(q)), jobField.method, jobField.task);
      const rows = (await pipe.exec()) ?? [];
      let kept = 0;
      for (const [i, id] of ids.entries()) {
        const [method, task] = (rows[i]?.[1] as Array<string | null> | undefined) ?? [];
        if (f.task !== undefined && method !== f.task && task !== f.task) {
          kept++;
          continue;
        }
        try {
          await requeue(id, env);
          done++;
        } catch (err) {
          if (!(err instanceof SchedulerError)) throw err;
          kept++;
        }
      }
      if (ids.length < PAGE) break;
      offset += kept;
    }
  }
  return done;
}

export function registerJobBulk(app: FastifyInstance, ctx: ApiContext): void {
  app.get("/api/jobs/bulk/count", async (request, reply) => {
    try {
      const q = request.query as Record<string, unknown>;
      const f = filterOf({ state: param(q, "state") ?? "", queue: param(q, "queue"), task: param(q, "task") });
      return { ...f, count: await countOf(ctx, f) };
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.post("/api/jobs/bulk", async (request, reply) => {
    try {
      const b = (request.body && typeof request.body === "object" ? request.body : {}) as Record<string, unknown>;
      if (b.action !== "retry" && b.action !== "delete") throw new ApiError(400, "BAD_BODY", 'body field "action" must be "retry" or "delete"');
      const f = filterOf(b);
      if (b.action === "retry" && !RETRYABLE.includes(f.status)) throw new ApiError(400, "BAD_BODY", "only failed or canceled jobs can be retried");
      const count = await countOf(ctx, f);
      if (b.expect !== count) {
        throw new ApiError(409, "COUNT_CHANGED", `the filter selects ${count} job(s) now, not ${String(b.expect)}: confirm again with expect: ${count}`);
      }
      if (b.action === "delete") {
        const per = await purgeJobs(ctx.env, f);
        return { action: "delete", done: Object.values(per).reduce((a, n) => a + n, 0) };
      }
      return { action: "retry", done: await retryAll(ctx, f) };
    } catch (err) {
      return sendError(reply, err);
    }
  });
}
