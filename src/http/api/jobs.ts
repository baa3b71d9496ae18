/**
 * The jobs API: GET /api/jobs (list and search), GET /api/jobs/:id (detail), and the per-job
 * writes POST /api/jobs/:id/retry | cancel | delete.
 */
import type { FastifyInstance } from "fastify";
import { readJobDetail } from "../../ops/job-detail.js";
import { parseStatus, type StoredStatus } from "../../ops/job-states.js";
import { readJobsById } from "../../ops/job-search.js";
import { knownQueues, cancel, requeue } from "../../queue/registry.js";
import { runJobScriptById } from "../../queue/find-job.js";
import { scriptResult } from "../../redis/script-results.js";
import { readEvents } from "../../log/read-events.js";
import { redact } from "../../security/redact.js";
import { ApiError, intParam, param, sendError, timeParam, type ApiContext } from "./context.js";
import { listJobs, summarize } from "./job-list.js";

/** Log lines shown on a job's page (the newest ones still in the events stream). */
const JOB_EVENTS_SHOWN = 200;

export function stateParam(query: unknown, fallback: StoredStatus): StoredStatus {
  const s = param(query, "state");
  if (s === undefined) return fallback;
  const state = parseStatus(s);
  if (!state) throw new ApiError(400, "BAD_PARAM", `state=${s} is not a job state: use queued, started, scheduled, deferred, failed, finished or canceled`);
  return state;
}

export async function queuesParam(ctx: ApiContext, query: unknown): Promise<string[]> {
  const q = param(query, "queue");
  if (q !== undefined) return [q];
  const known = await knownQueues(ctx.env);
  return [...new Set([...Object.keys(ctx.deps.config.queues), ...known])].sort();
}

export async function deleteJob(ctx: ApiContext, id: string): Promise<void> {
  // by id alone: on whichever queue's tag the job is (find-job.ts)
  const raw = await runJobScriptById(ctx.env, id, "delete_job", [id]);
  const res = raw === undefined ? "missing" : scriptResult.delete_job(raw).answer;
  if (res === "ok") return;
  if (res === "missing") throw new ApiError(404, "NO_SUCH_JOB", `no job with id "${id}"`);
  throw new ApiError(409, "JOB_RUNNING", `job "${id}" is ${res}: cancel it first, then delete it`);
}

export function registerJobs(app: FastifyInstance, ctx: ApiContext): void {
  app.get("/api/jobs", async (request, reply) => {
    try {
      const q = request.query;
      const id = param(q, "id");
      if (id !== undefined) {
        const jobs = await readJobsById(ctx.env, [id]);
        return { jobs: jobs.map(summarize), scanned: jobs.length, total: jobs.length, filtered: true, nextCursor: null };
      }
      const from = timeParam(q, "from");
      const to = timeParam(q, "to");
      const task = param(q, "task");
      const text = param(q, "q");
      return await listJobs(ctx.env, {
        queues: await queuesParam(ctx, q),
        state: stateParam(q, "failed"),
        filter: { ...(task ? { task } : {}), ...(text ? { text } : {}), ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) },
        limit: intParam(q, "limit", 50, 1, 500),
        scan: intParam(q, "scan", 5000, 1, 100_000),
        cursor: param(q, "cursor"),
        redactKeys: ctx.redactKeys,
      });
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.get<{ Params: { id: string } }>("/api/jobs/:id", async (request, reply) => {
    try {
      const id = request.params.id;
      const detail = await readJobDetail(ctx.env, id);
      if (!detail) throw new ApiError(404, "NO_SUCH_JOB", `no job with id "${id}" (it may have expired)`);
      const events = await readEvents(ctx.env.redis, ctx.env.keys, { since: detail.job.createdAt, count: JOB_EVENTS_SHOWN, filter: { job: id } });
      const keys = ctx.redactKeys;
      const job = { ...detail.job, kwargs: redact(detail.job.kwargs, keys), ...(detail.job.result !== undefined ? { result: redact(detail.job.result, keys) } : {}) };
      delete (job as { sig?: string }).sig;
      const timeoutAt = job.status === "started" && job.startedAt !== undefined ? job.startedAt + job.timeout * 1000 : undefined;
      return { ...detail, job, events: events.map((e) => ({ ...e, data: e.data ? redact(e.data, keys) : undefined })), ...(timeoutAt ? { timeoutAt } : {}) };
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.post<{ Params: { id: string } }>("/api/jobs/:id/retry", async (request, reply) => {
    try {
      await requeue(request.params.id, ctx.env);
      return { id: request.params.id, status: "queued" };
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.post<{ Params: { id: string } }>("/api/jobs/:id/cancel", async (request, reply) => {
    try {
      return { id: request.params.id, status: await cancel(request.params.id, ctx.env) };
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.post<{ Params: { id: string } }>("/api/jobs/:id/delete", async (request, reply) => {
    try {
      await deleteJob(ctx, request.params.id);
      return { id: request.params.id, status: "deleted" };
    } catch (err) {
      return sendError(reply, err);
    }
  });
}
