/**
 * vitest globalSetup: the process tests run the built CLI (bin/scheduler.js -> dist/), so after
 * an edit in src/ a bare `npx vitest run` would test the old code without saying so. When any
 * file of src/ is newer than its build output (src/a.ts -> dist/a.js; Lua scripts and console
 * assets are copied under the same path) or has none, build once, bounded, and say so in one line.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUILD_TIMEOUT_MS = 240_000;

/** Every file under `dir`, absolute. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

const mtimeOf = (file: string): number | undefined => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
};

/** The files of src/ whose output in dist/ is missing or older, repo-relative. */
export function staleSources(root = ROOT): string[] {
  const src = join(root, "src");
  return filesUnder(src)
    .filter((file) => !file.endsWith(".d.ts"))
    .filter((file) => {
      const output = join(root, "dist", relative(src, file)).replace(/\.ts$/, ".js");
      const built = mtimeOf(output);
      return built === undefined || built < statSync(file).mtimeMs;
    })
    .map((file) => relative(root, file));
}

export default function setup(): void {
  const stale = staleSources();
  if (stale.length === 0) return;
  const started = Date.now();
  try {
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], timeout: BUILD_TIMEOUT_MS, encoding: "utf8" });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    process.stderr.write(`tests: dist/ is older than ${stale[0]} and \`npm run build\` failed (${e.message.split("\n")[0]}):\n${`${e.stdout ?? ""}${e.stderr ?? ""}`.trim().split("\n").slice(-15).join("\n")}\n`);
    process.exit(1);
  }
  const more = stale.length > 1 ? ` and ${stale.length - 1} more` : "";
  process.stdout.write(`tests: dist/ was older than ${stale[0]}${more}: rebuilt it (npm run build, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}
