/**
 * The package as a user installs it: `npm pack` of this repository (dist/ as `npm test` built
 * it), `npm install <tarball>` into a fresh app, then both bin names answer `--version` through
 * npx, the library imports, and the tarball holds what the README links to (LICENSE, docs/).
 * Dependencies come from npm's cache when it has them (`--prefer-offline`).
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/spawn.js";

const run = promisify(execFile);
const pkg = JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as {
  version: string;
  bin: Record<string, string>;
  files: string[];
  repository?: { url?: string };
};

let app: string;
let packed: string[];

/** npm with its noise off; npm's own output is kept for the assertion message. */
function npm(args: string[], cwd: string, timeout: number) {
  return run("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, timeout, env: { ...process.env, npm_config_update_notifier: "false" } });
}

beforeAll(async () => {
  app = await mkdtemp(join(tmpdir(), "hs-pack-app-"));
  // --ignore-scripts: dist/ is already built (npm test's pretest); packing must not rebuild it.
  const pack = await npm(["pack", "--ignore-scripts", "--json", "--pack-destination", app, REPO_ROOT], app, 120_000);
  const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packed = info!.files.map((f) => f.path);
  await writeFile(join(app, "package.json"), JSON.stringify({ name: "my-app", version: "1.0.0", private: true, type: "module" }));
  await npm(["install", "--prefer-offline", join(app, info!.filename)], app, 240_000);
}, 360_000);

afterAll(async () => {
  await rm(app, { recursive: true, force: true });
});

describe("npm pack, npm install into an app", () => {
  it("the tarball has the licence, the docs the README links to, the built code, and no tests", () => {
    for (const f of ["LICENSE", "README.md", "package.json", "bin/scheduler.js", "dist/index.js", "dist/index.d.ts", "docs/dst.md", "docs/operator-commands.md"]) {
      expect(packed).toContain(f);
    }
    expect(packed.some((f) => f.startsWith("dist/redis/lua/") && f.endsWith(".lua"))).toBe(true);
    expect(packed.filter((f) => f.startsWith("test/") || f.startsWith("node_modules/"))).toEqual([]);
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\//);
  });

  it("`npx hooks-scheduler --version` and `npx scheduler --version` run the installed CLI", async () => {
    expect(Object.keys(pkg.bin).sort()).toEqual(["hooks-scheduler", "scheduler"]);
    for (const bin of ["hooks-scheduler", "scheduler"]) {
      const r = await run("npx", ["--no-install", bin, "--version"], { cwd: app, timeout: 60_000 });
      expect(r.stdout.trim()).toBe(pkg.version);
    }
  }, 120_000);

  it("the library imports from the app", async () => {
    const probe = `import { defineHooks, enqueue } from "hooks-scheduler"; console.log(typeof defineHooks, typeof enqueue);`;
    const r = await run(process.execPath, ["--input-type=module", "-e", probe], { cwd: app, timeout: 60_000 });
    expect(r.stdout.trim()).toBe("function function");
  }, 60_000);
});
