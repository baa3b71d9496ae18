/**
 * The per-test leak guard (test/setup/no-leaked-processes.ts) on fixture test files that leak on
 * purpose (test/setup/fixtures/leak-guard/), run by a vitest of their own: each "fails:" test
 * fails naming exactly the process it left, each "passes:" test passes (a process of beforeAll,
 * of ownedByFile() or of a concurrent neighbour is not its), and a file whose beforeAll process
 * outlives afterAll fails as a file. Without the guard every test there passes, and this fails.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/spawn.js";
import { HAS_PROC } from "../helpers/processes.js";
import { withOwner } from "./tag-spawns.js";
import { OWNER_VAR } from "../helpers/test-owner.js";

const CONFIG = join(REPO_ROOT, "test/setup/fixtures/leak-guard/vitest.config.ts");
const VITEST = join(REPO_ROOT, "node_modules/vitest/vitest.mjs");

interface Report {
  numTotalTests: number;
  testResults: { name: string; message: string; assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

const dir = mkdtempSync(join(tmpdir(), "leak-guard-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The fixture files' run, as vitest's JSON report (bounded: killed after 90 s). */
function runFixtures(): Promise<Report> {
  const out = join(dir, "report.json");
  // Not the outer run's worker variables: the inner vitest is a run of its own.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST")));
  const child = spawn(process.execPath, [VITEST, "run", "--config", CONFIG, "--reporter=json", `--outputFile=${out}`], {
    cwd: REPO_ROOT,
    env: { ...env, TEST_LEAK_GRACE_MS: "1500", LEAK_GUARD_TMP: dir, FORCE_COLOR: "0" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(readFileSync(out, "utf8")) as Report);
      } catch (e) {
        reject(new Error(`fixture run (exit ${code}) wrote no report: ${String(e)}\n${stderr.slice(-2000)}`));
      }
    });
  });
}

describe.skipIf(!HAS_PROC)("leak guard", () => {
  it("fails the test that left a process, naming it, and only that test", async () => {
    const report = await runFixtures();
    expect(report.numTotalTests).toBe(14);
    const results = report.testResults.flatMap((f) => f.assertionResults);
    for (const r of results) {
      if (r.title.startsWith("passes:")) {
        expect({ title: r.title, status: r.status, failures: r.failureMessages }).toEqual({ title: r.title, status: "passed", failures: [] });
        continue;
      }
      const left = /^fails: leaves (sleep \d+|redis-server)/.exec(r.title)![1]!;
      expect(r.status, r.title).toBe("failed");
      const message = r.failureMessages.join("\n");
      expect(message).toContain(`this test ("${r.title}") left 1 process(es) it started running`);
      expect(message).toMatch(new RegExp(`pid \\d+: ${left}[ \\n]`));
    }
    expect(results.filter((r) => r.status === "failed")).toHaveLength(7);
    const byFile = new Map(report.testResults.map((f) => [f.name.replace(/.*\//, ""), f.message]));
    expect(byFile.get("file-leak.fixture.ts")).toMatch(/^this file .* left 1 process\(es\)[^]*pid \d+: sleep 35$/);
    for (const f of ["per-test.fixture.ts", "concurrent.fixture.ts", "before-all.fixture.ts"]) expect(byFile.get(f), f).toBe("");
  });
});

describe("the owner in a spawn's arguments", () => {
  const owner = "test:x";
  const fn = () => {};
  const envOf = (args: unknown[], at: number) => (args[at] as { env: NodeJS.ProcessEnv }).env;

  it("is added to the env a call passes, keeping its other options", () => {
    const args = withOwner(["sleep", ["1"], { env: { PATH: "/bin" }, stdio: "ignore" }], owner, { M: "1" });
    expect(args).toEqual(["sleep", ["1"], { env: { PATH: "/bin", M: "1", [OWNER_VAR]: owner }, stdio: "ignore" }]);
  });

  it("comes with process.env when the call passes none", () => {
    const [, opts] = withOwner(["ls", { cwd: "/" }], owner);
    expect(opts).toMatchObject({ cwd: "/", env: { PATH: process.env.PATH, [OWNER_VAR]: owner } });
  });

  it("goes in an options argument of its own where the call has none", () => {
    expect(envOf(withOwner(["ls"], owner), 1)[OWNER_VAR]).toBe(owner);
    const withArgs = withOwner(["ls", ["-l"], fn], owner);
    expect(withArgs[1]).toEqual(["-l"]);
    expect(envOf(withArgs, 2)[OWNER_VAR]).toBe(owner);
    expect(withArgs[3]).toBe(fn);
    const execStyle = withOwner(["ls -l", fn], owner);
    expect(envOf(execStyle, 1)[OWNER_VAR]).toBe(owner);
    expect(execStyle[2]).toBe(fn);
    const placeholder = withOwner(["ls", undefined, fn], owner);
    expect(envOf(placeholder, 1)[OWNER_VAR]).toBe(owner);
    expect(placeholder).toHaveLength(3);
  });
});
