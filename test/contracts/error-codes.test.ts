// The error-code catalog (src/errors.ts ERROR_CODES) against the code that raises errors and
// against README's "Errors" section: one class per code, no code raised outside the table, no
// entry no one raises, and the docs generated from the table.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, USAGE_EXIT_CODES, type ErrorCode } from "../../src/base/errors.js";
import { ROOT, staleDocs } from "../../scripts/contract-docs.js";

function sources(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js)$/.test(e.name))
    .map((e) => {
      const file = join(e.parentPath, e.name);
      return { file: file.slice(ROOT.length), text: readFileSync(file, "utf8") };
    });
}

const SRC = sources(join(ROOT, "src"));

/** The class a `super("CODE", ...)` sits in: the nearest `class X` above it. */
function enclosingClass(text: string, at: number): string | undefined {
  const before = [...text.slice(0, at).matchAll(/class (\w+)/g)];
  return before.at(-1)?.[1];
}

/** Every place a code literal is raised: `new X("CODE"`, `super("CODE"`, `deny(reply, 403, "CODE"` (fail() in queue/options.ts is typed by its parameter). */
function raised(): { file: string; code: string; cls: string | undefined }[] {
  const out: { file: string; code: string; cls: string | undefined }[] = [];
  for (const { file, text } of SRC) {
    for (const m of text.matchAll(/new (\w+)\(\s*(?:\d+,\s*)?"([A-Z][A-Z0-9_]+)"/g)) out.push({ file, code: m[2]!, cls: m[1] });
    for (const m of text.matchAll(/super\(\s*"([A-Z][A-Z0-9_]+)"/g)) out.push({ file, code: m[1]!, cls: enclosingClass(text, m.index) });
    for (const m of text.matchAll(/\bdeny\(reply, \d+, "([A-Z][A-Z0-9_]+)"/g)) out.push({ file, code: m[1]!, cls: undefined });
  }
  return out;
}

describe("error-code catalog", () => {
  it("every code raised in src is in the table, by the class the table names", () => {
    const sites = raised();
    expect(sites.length).toBeGreaterThan(100);
    const wrong = sites.flatMap(({ file, code, cls }) => {
      const entry = (ERROR_CODES as Record<string, { class: string }>)[code];
      if (!entry) return [`${file}: ${code} is not in ERROR_CODES`];
      // ApiError answers any code over HTTP; a helper (fail, deny) is typed by its parameter
      if (cls === undefined || cls === "ApiError" || cls === entry.class) return [];
      return [`${file}: ${code} raised by ${cls}, the table says ${entry.class}`];
    });
    expect(wrong).toEqual([]);
  });

  it("every code in the table is used somewhere in src", () => {
    // errors.ts counts from below the table (its own classes raise JOB_TIMEOUT, ...)
    const all = SRC.map((s) => (s.file === join("src", "errors.ts") ? s.text.slice(s.text.indexOf("export type ErrorCode")) : s.text)).join("\n");
    const unused = (Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => !all.includes(`"${c}"`) && !all.includes(`codes.${c}`));
    expect(unused).toEqual([]);
  });

  it("ApiError codes carry an HTTP status; the others a CLI exit code", () => {
    for (const [code, e] of Object.entries(ERROR_CODES) as [string, { class: string; exit?: number; http?: number }][]) {
      if (e.class === "ApiError") expect(e.http, code).toBeTypeOf("number");
      else expect(e.exit, code).toBeTypeOf("number");
    }
    expect([...USAGE_EXIT_CODES].sort()).toEqual(["BAD_COUNT", "BAD_DURATION", "BAD_LEVEL", "USAGE"]);
  });

  it("README's Errors section is the table (npm run docs:contracts rewrites it)", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    for (const code of Object.keys(ERROR_CODES)) expect(readme, code).toContain(`| \`${code}\` |`);
    expect(staleDocs()).toEqual([]);
  });
});
