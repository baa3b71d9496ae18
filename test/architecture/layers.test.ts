/**
 * src/ keeps to the layers of docs/architecture.md: no import up the layer order, no cycle
 * between files, no folder outside the table, no import across a boundary the doc forbids.
 *
 * known-violations.json was the allow-list while issue 13's moves landed; it is empty now and
 * never grows (an entry that no longer occurs fails the test too).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { check, importGraph, keyOf, parseRules, sourceFiles, type KnownViolation } from "./layers.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DOC = join(ROOT, "docs/architecture.md");
const KNOWN = fileURLToPath(new URL("./known-violations.json", import.meta.url));

describe("the architecture of src/", () => {
  const rules = parseRules(readFileSync(DOC, "utf8"));

  it("docs/architecture.md has the layer table, src/index.ts on top", () => {
    expect(rules.layers[0]!.path).toBe("src/base/");
    expect(rules.layers.at(-1)!.path).toBe("src/index.ts");
    const ranks = rules.layers.map((l) => l.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it("follows the layer table: no import up, no cycle, no unplaced folder (beyond known-violations.json)", () => {
    const found = check(rules, importGraph(ROOT, sourceFiles(ROOT)));
    const known = (JSON.parse(readFileSync(KNOWN, "utf8")) as { violations: KnownViolation[] }).violations;
    const knownKeys = new Set(known.map(keyOf));
    const foundKeys = new Set(found.map(keyOf));
    const fresh = found.filter((v) => !knownKeys.has(keyOf(v)));
    const gone = known.filter((k) => !foundKeys.has(keyOf(k)));
    const report = [
      ...(fresh.length ? [`${fresh.length} import(s) break docs/architecture.md:`, ...fresh.map((v) => `  ${v.message}`)] : []),
      ...(gone.length
        ? [`${gone.length} entr(ies) of test/architecture/known-violations.json no longer occur (delete them: the list only shrinks):`, ...gone.map((k) => `  ${JSON.stringify(k)}`)]
        : []),
    ];
    expect(report.join("\n")).toBe("");
  });
});

describe("the architecture check itself, on a small tree", () => {
  const root = mkdtempSync(join(tmpdir(), "arch-check-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  const doc = [
    "<!-- architecture-layers:begin -->",
    "| Layer | Folder | Role |",
    "|---|---|---|",
    "| 1 | `src/base/` | low |",
    "| 2 | `src/worker/` | high |",
    "| 3 | `src/index.ts` | top |",
    "<!-- architecture-layers:end -->",
    "<!-- architecture-boundaries:begin -->",
    "| Folder | Must not import | Why |",
    "|---|---|---|",
    "| `src/worker/child/` | `src/worker/supervisor/` | another process |",
    "<!-- architecture-boundaries:end -->",
  ].join("\n");
  write("src/base/clock.ts", 'import type { Pool } from "../worker/pool.js";\nexport const now = () => 1;\n');
  write("src/base/a.ts", 'export { b } from "./b.js";\n// import "./never.js" (a comment is not an import)\nconst s = `import("./c.js")`;\n');
  write("src/base/b.ts", 'export const b = async () => import("./a.js");\n');
  write("src/worker/pool.ts", 'import { now } from "../base/clock.js";\nimport { x } from "node:path";\nexport type Pool = 1;\n');
  write("src/worker/child/run.ts", 'import "../supervisor/start.js";\n');
  write("src/worker/supervisor/start.ts", "export {};\n");
  write("src/stray/thing.ts", "export {};\n");
  write("src/index.ts", 'export * from "./worker/pool.js";\n');

  const found = check(parseRules(doc, "test doc"), importGraph(root, sourceFiles(root)));
  const messages = found.map((v) => v.message);

  it("names the file and the import that go up the layers", () => {
    expect(messages).toContain("src/base/clock.ts (layer 1 src/base/) imports src/worker/pool.ts (layer 2 src/worker/): an import may only go to its own layer or lower");
  });

  it("prints a cycle as a chain of files, with re-exports and dynamic imports read as imports", () => {
    expect(messages).toContain("src/base/a.ts imports src/base/b.ts, which leads back: cycle src/base/a.ts -> src/base/b.ts -> src/base/a.ts");
    // clock -> pool -> clock is a cycle too, but through the upward import, which is reported already.
    expect(messages.filter((m) => m.includes("cycle src/base/clock.ts") || m.includes("cycle src/worker/pool.ts"))).toEqual([]);
  });

  it("fails on a folder the table does not place, and on an import across a boundary", () => {
    expect(messages).toContain("src/stray/ is not in the layer table of docs/architecture.md: move it into a layer's folder, or add a row for it");
    expect(messages).toContain("src/worker/child/run.ts imports src/worker/supervisor/start.ts: src/worker/child/ must not import src/worker/supervisor/ (another process)");
  });

  it("reports nothing else: comments, strings and packages are not imports", () => {
    expect(found.map(keyOf).sort()).toEqual(
      [
        "boundary src/worker/child/run.ts -> src/worker/supervisor/start.ts",
        "cycle src/base/a.ts -> src/base/b.ts",
        "cycle src/base/b.ts -> src/base/a.ts",
        "unplaced src/stray/",
        "up src/base/clock.ts -> src/worker/pool.ts",
      ].sort(),
    );
  });

  it("says which row of the doc it cannot read", () => {
    expect(() => parseRules("no markers here", "x.md")).toThrow("x.md: no table between <!-- architecture-layers:begin --> and <!-- architecture-layers:end -->");
    expect(() => parseRules(doc.replace("| 2 |", "| two |"), "x.md")).toThrow('x.md: row "two | `src/worker/` | high": the first cell must be the layer number');
  });
});
