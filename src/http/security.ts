/**
 * The console's guard rails, enforced on the server whatever the page does:
 * - binding to anything but loopback needs a token (checkBind, called before listen);
 * - with a token, every API call needs the session cookie (HttpOnly, SameSite=Strict, set by
 *   POST /api/session) or an `Authorization: Bearer` header (scripts);
 * - every POST must come from this origin (Sec-Fetch-Site, else Origin): no cross-site writes;
 * - read-only mode answers 405 to every write;
 * - a fresh CSP nonce per request; pages carry it on their only scripts.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import cookie from "@fastify/cookie";
import type { ErrorCode } from "../base/errors.js";
import type { HttpDeps } from "./types.js";

export const SESSION_COOKIE = "hs_console";

declare module "fastify" {
  interface FastifyRequest {
    cspNonce: string;
  }
}

const LOOPBACK_NAMES = new Set(["localhost", "::1", "[::1]", "ip6-localhost"]);

export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase();
  if (LOOPBACK_NAMES.has(h)) return true;
  const v4 = h.startsWith("::ffff:") ? h.slice(7) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** null when `host` may be bound with this token; otherwise the one line to print. */
export function checkBind(host: string, token: string | undefined): string | null {
  if (isLoopback(host)) return null;
  if (token !== undefined && token.trim() !== "") return null;
  const shown = host === "" ? "every address" : host;
  return `--http ${shown}: binding to an address other than loopback needs a token: pass --http-token or set SCHEDULER_HTTP_TOKEN (or bind to 127.0.0.1)`;
}

/** The cookie holds a value derived from the token, never the token itself. */
export function sessionValue(token: string): string {
  return createHmac("sha256", token).update("hooks-scheduler console session").digest("base64url");
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function tokenMatches(given: string, token: string): boolean {
  return sameSecret(sessionValue(given), sessionValue(token));
}

/**
 * Whether a write may proceed. Browsers send Sec-Fetch-Site on every request (and Origin on
 * every cross-origin POST), so a forged cross-site form or fetch always names itself; a client
 * that sends neither is not a browser, and CSRF needs a browser.
 */
export function sameOrigin(headers: Record<string, string | string[] | undefined>, host: string | undefined): boolean {
  const site = headers["sec-fetch-site"];
  if (typeof site === "string") return site === "same-origin";
  const origin = headers.origin;
  if (typeof origin !== "string") return true;
  if (origin === "null" || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Paths any visitor may read: the page shell and assets hold no data, health is for probes. */
function isPublic(request: FastifyRequest): boolean {
  const path = request.url.split("?")[0]!;
  if (path === "/api/session") return true;
  if (path.startsWith("/api/")) return false;
  return request.method === "GET" || request.method === "HEAD";
}

function isWrite(request: FastifyRequest): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(request.method);
}

function deny(reply: FastifyReply, status: number, code: ErrorCode, message: string): FastifyReply {
  return reply.code(status).header("cache-control", "no-store").send({ error: { code, message } });
}

export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function isAuthenticated(request: FastifyRequest, token: string | undefined): boolean {
  if (!token) return true;
  const auth = request.headers.authorization;
  if (typeof auth === "string" && auth.startsWith("Bearer ") && tokenMatches(auth.slice(7), token)) return true;
  const session = request.cookies[SESSION_COOKIE];
  return typeof session === "string" && sameSecret(session, sessionValue(token));
}

export async function registerSecurity(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  // The server's other routes may have registered it already; a second copy would throw.
  if (!app.hasDecorator("parseCookie")) await app.register(cookie);
  app.decorateRequest("cspNonce", "");
  app.addHook("onRequest", async (request, reply) => {
    request.cspNonce = randomBytes(16).toString("base64");
    reply.header("content-security-policy", contentSecurityPolicy(request.cspNonce));
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "same-origin");
    reply.header("x-frame-options", "DENY");
    if (isWrite(request) && !sameOrigin(request.headers, request.headers.host)) {
      return deny(reply, 403, "CROSS_ORIGIN", "writes must come from the console's own origin (Sec-Fetch-Site/Origin check)");
    }
    if (!isPublic(request) && !isAuthenticated(request, deps.token)) {
      return deny(reply, 401, "TOKEN_REQUIRED", "this console needs its token: sign in on the page or send Authorization: Bearer <token>");
    }
    const path = request.url.split("?")[0]!;
    if (deps.readOnly && isWrite(request) && path !== "/api/session") {
      reply.header("allow", "GET, HEAD");
      return deny(reply, 405, "READ_ONLY", "the console runs read-only (--read-only): writes are refused");
    }
    return undefined;
  });
}
