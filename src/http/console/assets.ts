/**
 * Every file the browser loads, served from the package itself (no CDN, works offline): the
 * console's own scripts and styles (src/http/console/assets/, copied beside the compiled code
 * by scripts/copy-console-assets.mjs) and the vendored libraries, read from their installed
 * packages. Read once at start into memory; each answer carries a strong ETag.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { codes } from "../../base/errors.js";

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** URL path under /assets/vendor/ -> the installed file (resolved through each package's exports). */
function vendorFiles(): Record<string, string> {
  const file = (specifier: string) => fileURLToPath(import.meta.resolve(specifier));
  const uplotDir = dirname(file("uplot"));
  return {
    "preact.mjs": file("preact"),
    "preact-hooks.mjs": file("preact/hooks"),
    "htm.mjs": file("htm"),
    "uPlot.iife.min.js": join(uplotDir, "uPlot.iife.min.js"),
    "uPlot.min.css": join(uplotDir, "uPlot.min.css"),
  };
}

function ownFiles(dir: string, base = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) Object.assign(out, ownFiles(full, `${base}${name}/`));
    else if (TYPES[extname(name)]) out[`${base}${name}`] = full;
  }
  return out;
}

function load(path: string): Asset {
  const body = readFileSync(path);
  return { body, type: TYPES[extname(path)] ?? "application/octet-stream", etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"` };
}

export const ASSETS_DIR = fileURLToPath(new URL("./assets/", import.meta.url));

/** url path (e.g. "/assets/app.js") -> asset. */
export function loadAssets(): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const [name, path] of Object.entries(ownFiles(ASSETS_DIR))) out.set(`/assets/${name}`, load(path));
  for (const [name, path] of Object.entries(vendorFiles())) out.set(`/assets/vendor/${name}`, load(path));
  return out;
}

export function registerAssets(app: FastifyInstance, assets: Map<string, Asset>): void {
  app.get("/assets/*", async (request, reply) => {
    const path = request.url.split("?")[0]!;
    const asset = assets.get(path);
    if (!asset) return reply.code(404).send({ error: { code: codes.NO_SUCH_ASSET, message: `no asset ${path}` } });
    reply.header("etag", asset.etag).header("cache-control", "no-cache");
    if (request.headers["if-none-match"] === asset.etag) return reply.code(304).send();
    return reply.type(asset.type).send(asset.body);
  });
}
