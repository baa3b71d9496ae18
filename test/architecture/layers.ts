/**
 * The architecture check behind layers.test.ts: read the layer table and the boundary table from
 * docs/architecture.md (the one place they are written, so the doc and the test cannot
 * disagree), read every import of every file in src/ with TypeScript's own pre-processor (static
 * `import`/`export ... from`, `import("literal")`, `import("x").T` types), and list what breaks
 * the rules: an import that goes up the layer order, a cycle between files, a folder or file in
 * src/ the table does not place, an import across a boundary the table forbids.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

export interface Layer {
  /** Position in the table, 1 = lowest. */
  rank: number;
  /** Repo-relative, "/" separators: a folder ends in "/" ("src/base/"), a file does not ("src/index.ts"). */
  path: string;
}

/** `from` (a folder or file) must not import anything under `to`. */
export interface Boundary {
  from: string;
  to: string;
  why: string;
}

export interface Rules {
  layers: Layer[];
  boundaries: Boundary[];
}

export type ViolationRule = "up" | "cycle" | "unplaced" | "boundary";

export interface Violation {
  rule: ViolationRule;
  /** Repo-relative file (or folder, for "unplaced"). */
  file: string;
  /** Repo-relative imported file; absent for "unplaced". */
  import?: string;
  /** One line for a person: names the file, the import and the rule. */
  message: string;
}

const LAYERS_BEGIN = "<!-- architecture-layers:begin -->";
const LAYERS_END = "<!-- architecture-layers:end -->";
const BOUNDARIES_BEGIN = "<!-- architecture-boundaries:begin -->";
const BOUNDARIES_END = "<!-- architecture-boundaries:end -->";

/** The markdown table rows between two markers, cells trimmed, header and |---| rows dropped. */
function tableRows(doc: string, begin: string, end: string, docName: string): string[][] {
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${docName}: no table between ${begin} and ${end}`);
  const rows = doc
    .slice(from + begin.length, to)
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("|"))
    .map((l) => l.replace(/^\||\|$/g, "").split("|").map((c) => c.trim()));
  return rows.slice(1).filter((cells) => !cells.every((c) => /^:?-+:?$/.test(c)));
}

/** `src/base/` from a cell written as "`src/base/`". */
function pathCell(cell: string | undefined, docName: string, row: string[]): string {
  const m = /^`([^`]+)`$/.exec(cell ?? "");
  if (!m || !m[1]!.startsWith("src/")) throw new Error(`${docName}: row "${row.join(" | ")}": the path cell must be a \`src/...\` path in backticks`);
  return m[1]!;
}

/**
 * Layer table rows: `| 1 | \`src/base/\` | role |`. Several rows may share a rank (a folder and
 * the parts inside it). Boundary rows: `| \`src/worker/child/\` | \`src/worker/supervisor/\` | why |`.
 */
export function parseRules(doc: string, docName = "docs/architecture.md"): Rules {
  const layers = tableRows(doc, LAYERS_BEGIN, LAYERS_END, docName).map((row) => {
    const rank = Number(row[0]);
    if (!Number.isInteger(rank) || rank < 1) throw new Error(`${docName}: row "${row.join(" | ")}": the first cell must be the layer number`);
    return { rank, path: pathCell(row[1], docName, row) };
  });
  if (layers.length === 0) throw new Error(`${docName}: the layer table has no rows`);
  const seen = new Set<string>();
  for (const l of layers) {
    if (seen.has(l.path)) throw new Error(`${docName}: ${l.path} is in the layer table twice`);
    seen.add(l.path);
  }
  const boundaries = doc.includes(BOUNDARIES_BEGIN)
    ? tableRows(doc, BOUNDARIES_BEGIN, BOUNDARIES_END, docName).map((row) => ({ from: pathCell(row[0], docName, row), to: pathCell(row[1], docName, row), why: row[2] ?? "" }))
    : [];
  return { layers, boundaries };
}

const covers = (entry: string, file: string) => (entry.endsWith("/") ? file.startsWith(entry) : file === entry);

/** The most specific table entry that covers `file` (a file row beats its folder's row). */
export function layerOf(layers: Layer[], file: string): Layer | undefined {
  let best: Layer | undefined;
  for (const l of layers) if (covers(l.path, file) && (!best || l.path.length > best.path.length)) best = l;
  return best;
}

/** Every .ts file under `dir` (repo-relative, "/" separators), sorted. */
export function sourceFiles(root: string, dir = "src"): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const name of readdirSync(abs).sort()) {
      const full = join(abs, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".ts")) out.push(relative(root, full).split(sep).join("/"));
    }
  };
  walk(join(root, dir));
  return out;
}

/** `./x.js` from src/a/b.ts -> src/a/x.ts (or x/index.ts); undefined for packages and non-TS files. */
function resolveImport(root: string, fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined; // a package or node: builtin
  const base = resolve(root, dirname(fromFile), specifier);
  const candidates = [base.replace(/\.(m?js)$/, ".ts"), base.replace(/\.(m?js)$/, ".tsx"), base, `${base}.ts`, join(base, "index.ts")];
  for (const c of candidates) if (c.endsWith(".ts") && existsSync(c) && statSync(c).isFile()) return relative(root, c).split(sep).join("/");
  return undefined;
}

/** file -> the src files it imports (deduplicated, in source order). */
export function importGraph(root: string, files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(root, file), "utf8");
    const info = ts.preProcessFile(text, true, true);
    const targets: string[] = [];
    for (const ref of info.importedFiles) {
      const target = resolveImport(root, file, ref.fileName);
      if (target && target.startsWith("src/") && !targets.includes(target)) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Folders (and root files) of src/ that no table row covers. */
function unplaced(layers: Layer[], files: string[]): Violation[] {
  const out = new Map<string, Violation>();
  for (const file of files) {
    if (layerOf(layers, file)) continue;
    const parts = file.split("/");
    const place = parts.length > 2 ? `${parts.slice(0, 2).join("/")}/` : file;
    out.set(place, {
      rule: "unplaced",
      file: place,
      message: `${place} is not in the layer table of docs/architecture.md: move it into a layer's folder, or add a row for it`,
    });
  }
  return [...out.values()];
}

/** A shortest import chain from `from` to `to` (both included), or undefined. */
function chain(graph: Map<string, string[]>, from: string, to: string): string[] | undefined {
  const previous = new Map<string, string>([[from, from]]);
  const queue = [from];
  while (queue.length > 0) {
    const at = queue.shift()!;
    if (at === to) {
      const path = [to];
      while (path[0] !== from) path.unshift(previous.get(path[0]!)!);
      return path;
    }
    for (const next of graph.get(at) ?? []) {
      if (!previous.has(next)) {
        previous.set(next, at);
        queue.push(next);
      }
    }
  }
  return undefined;
}

const RULE_ORDER: ViolationRule[] = ["up", "boundary", "unplaced", "cycle"];

/**
 * Every rule broken by `graph` under `rules`: upward imports first, then boundaries, unplaced
 * folders, cycles; by file and import within each. A cycle is looked for among the imports that
 * do not go up: a cycle through two layers always has an upward import in it, which is reported
 * already (and one misplaced import would otherwise print every cycle it closes).
 */
export function check(rules: Rules, graph: Map<string, string[]>): Violation[] {
  const files = [...graph.keys()].sort();
  const found: Violation[] = unplaced(rules.layers, files);
  const notUp = new Map<string, string[]>();
  for (const file of files) {
    const own = layerOf(rules.layers, file);
    notUp.set(file, []);
    for (const target of graph.get(file)!) {
      const theirs = layerOf(rules.layers, target);
      if (own && theirs && theirs.rank > own.rank) {
        found.push({
          rule: "up",
          file,
          import: target,
          message: `${file} (layer ${own.rank} ${own.path}) imports ${target} (layer ${theirs.rank} ${theirs.path}): an import may only go to its own layer or lower`,
        });
      } else notUp.get(file)!.push(target);
      for (const b of rules.boundaries) {
        if (covers(b.from, file) && covers(b.to, target)) {
          found.push({ rule: "boundary", file, import: target, message: `${file} imports ${target}: ${b.from} must not import ${b.to} (${b.why})` });
        }
      }
    }
  }
  for (const file of files) {
    for (const target of notUp.get(file)!) {
      // The edge file -> target closes a cycle when target leads back to file.
      const back = target === file ? [file] : chain(notUp, target, file);
      if (back) {
        found.push({ rule: "cycle", file, import: target, message: `${file} imports ${target}, which leads back: cycle ${[file, ...back].join(" -> ")}` });
      }
    }
  }
  return found.sort((a, b) => RULE_ORDER.indexOf(a.rule) - RULE_ORDER.indexOf(b.rule));
}

/** One allow-list entry of known-violations.json. */
export interface KnownViolation {
  rule: ViolationRule;
  file: string;
  import?: string;
}

export const keyOf = (v: KnownViolation) => `${v.rule} ${v.file}${v.import ? ` -> ${v.import}` : ""}`;
