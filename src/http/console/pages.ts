/**
 * The page shell every console path answers with: the page itself is drawn in the browser from
 * /api/, so the shell holds no data. Its scripts carry the request's CSP nonce; nothing else on
 * the page may run.
 */
import type { FastifyInstance } from "fastify";

/** Paths the browser's router knows (src/http/console/assets/app.js); /metrics is Prometheus' own. */
export const PAGE_PATHS = ["/", "/schedules", "/jobs", "/jobs/:id", "/workers", "/live", "/charts"];

const IMPORTS = {
  imports: {
    preact: "/assets/vendor/preact.mjs",
    "preact/hooks": "/assets/vendor/preact-hooks.mjs",
    htm: "/assets/vendor/htm.mjs",
  },
};

/**
 * `modulepreload` for every module the page imports, so the browser fetches them at once
 * instead of discovering them one import at a time.
 */
function preloads(modules: readonly string[], nonce: string): string {
  return modules.map((m) => `<link rel="modulepreload" href="${m}" nonce="${nonce}">`).join("\n");
}

export function shell(nonce: string, modules: readonly string[] = []): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>hooks-scheduler console</title>
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/vendor/uPlot.min.css">
<link rel="stylesheet" href="/assets/console.css">
<script type="importmap" nonce="${nonce}">${JSON.stringify(IMPORTS)}</script>
${preloads(modules, nonce)}
<script src="/assets/vendor/uPlot.iife.min.js" nonce="${nonce}" defer></script>
<script type="module" src="/assets/app.js" nonce="${nonce}"></script>
</head>
<body>
<div id="app"><noscript>The console needs JavaScript.</noscript></div>
</body>
</html>
`;
}

export function registerPages(app: FastifyInstance, modules: readonly string[]): void {
  for (const path of PAGE_PATHS) {
    app.get(path, async (request, reply) => reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(shell(request.cspNonce, modules)));
  }
}
