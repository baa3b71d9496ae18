/**
 * GET /api/session: whether this console needs a token and whether the caller has it (public,
 * so the page knows to ask). POST /api/session { token }: checks it and sets the session cookie
 * (HttpOnly, SameSite=Strict: scripts on the page cannot read it, other sites cannot send it).
 * GET /api/meta: what the page needs to draw itself (zone, read-only, which actions exist).
 */
import { createRequire } from "node:module";
import type { FastifyInstance } from "fastify";
import { codes } from "../../base/errors.js";
import { isAuthenticated, sessionValue, SESSION_COOKIE, tokenMatches } from "../security.js";
import type { ApiContext } from "./context.js";

const version = (createRequire(import.meta.url)("../../../package.json") as { version: string }).version;

export function registerMeta(app: FastifyInstance, ctx: ApiContext, features: { scheduleControls: boolean }): void {
  const { deps } = ctx;
  app.get("/api/session", async (request) => ({
    tokenRequired: Boolean(deps.token),
    authenticated: isAuthenticated(request, deps.token),
  }));

  app.post("/api/session", async (request, reply) => {
    if (!deps.token) return { authenticated: true };
    const given = (request.body as Record<string, unknown> | null)?.token;
    if (typeof given !== "string" || !tokenMatches(given, deps.token)) {
      return reply.code(401).send({ error: { code: codes.BAD_TOKEN, message: "that is not this console's token (--http-token / SCHEDULER_HTTP_TOKEN)" } });
    }
    reply.setCookie(SESSION_COOKIE, sessionValue(deps.token), {
      httpOnly: true,
      sameSite: "strict",
      path: "/",
      secure: request.protocol === "https",
    });
    return { authenticated: true };
  });

  app.get("/api/meta", async () => ({
    version,
    role: deps.role,
    prefix: deps.keys.prefix,
    zone: deps.config.timezone,
    readOnly: deps.readOnly,
    queues: Object.keys(deps.config.queues),
    tasks: ctx.tasks.map((t) => t.method),
    // The history endpoint lives in the observability routes, which may be absent.
    features: { ...features, writes: !deps.readOnly, metricsHistory: app.hasRoute({ method: "GET", url: "/api/metrics/history" }) },
  }));
}
