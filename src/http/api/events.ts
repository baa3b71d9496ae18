/**
 * The Live page's feed. GET /api/events: the recent matching events (like `scheduler logs`);
 * GET /api/events/stream: server-sent events as they happen (like `scheduler logs -f`), with
 * the same filters (queue, job, task, level, type). Each stream holds one blocking XREAD on a
 * duplicate connection (followEvents), closed when the browser goes away.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { followEvents, parseLevel, readEvents, streamTail, type EventFilter, type StoredEvent } from "../../log/read-events.js";
import { redact } from "../../security/redact.js";
import { ApiError, intParam, param, sendError, type ApiContext } from "./context.js";

/** A comment line this often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;
/** XREAD block bound: how soon a closed stream notices between events. */
const BLOCK_MS = 1_000;

export function eventFilter(query: unknown): EventFilter {
  const level = param(query, "level");
  let parsed;
  try {
    parsed = level === undefined ? undefined : parseLevel(level, "level");
  } catch (err) {
    throw new ApiError(400, "BAD_PARAM", (err as Error).message);
  }
  const f: EventFilter = {};
  for (const name of ["queue", "job", "task", "type"] as const) {
    const v = param(query, name);
    if (v !== undefined) f[name] = v;
  }
  if (parsed) f.level = parsed;
  return f;
}

function masked(ctx: ApiContext, e: StoredEvent): StoredEvent {
  return e.data ? { ...e, data: redact(e.data, ctx.redactKeys) } : e;
}

function openStream(reply: FastifyReply): void {
  reply.hijack();
  reply.raw.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no",
    // hijack skips the onSend hooks, so these are repeated here
    "x-content-type-options": "nosniff",
  });
}

export function registerEvents(app: FastifyInstance, ctx: ApiContext): void {
  // Open streams never end by themselves: closing the server ends them, or it would wait on
  // every browser that has the Live page open.
  const open = new Set<AbortController>();
  app.addHook("preClose", async () => {
    for (const stop of open) stop.abort();
  });

  app.get("/api/events", async (request, reply) => {
    try {
      const filter = eventFilter(request.query);
      const events = await readEvents(ctx.env.redis, ctx.env.keys, { count: intParam(request.query, "count", 100, 1, 1000), filter });
      return { events: events.map((e) => masked(ctx, e)), tail: await streamTail(ctx.env.redis, ctx.env.keys) };
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.get("/api/events/stream", async (request, reply) => {
    let filter: EventFilter;
    try {
      filter = eventFilter(request.query);
    } catch (err) {
      return sendError(reply, err);
    }
    const lastId = request.headers["last-event-id"];
    const after = typeof lastId === "string" && /^\d+-\d+$/.test(lastId) ? lastId : param(request.query, "after");
    const stop = new AbortController();
    open.add(stop);
    openStream(reply);
    const raw = reply.raw;
    const keepalive = setInterval(() => raw.write(": keepalive\n\n"), KEEPALIVE_MS);
    request.raw.on("close", () => stop.abort());
    raw.write("retry: 2000\n: connected\n\n");
    try {
      await followEvents(
        ctx.env.redis,
        ctx.env.keys,
        filter,
        (e) => {
          raw.write(`id: ${e.id}\nevent: event\ndata: ${JSON.stringify(masked(ctx, e))}\n\n`);
        },
        stop.signal,
        { blockMs: BLOCK_MS, ...(after && /^\d+-\d+$/.test(after) ? { after } : {}) },
      );
    } catch (err) {
      raw.write(`event: failure\ndata: ${JSON.stringify({ message: (err as Error).message })}\n\n`);
    } finally {
      open.delete(stop);
      clearInterval(keepalive);
      raw.end();
    }
    return reply;
  });
}
