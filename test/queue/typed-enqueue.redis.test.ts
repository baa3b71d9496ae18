/**
 * enqueue()'s typed form: `enqueue(task, { kwargs: {...}, queue: "long" })`. The type checks live
 * in typed-enqueue.types.ts and are compiled here with the TypeScript compiler (a typo such as
 * `qeue` must be an error there); at run time the typed form enqueues the same job as the flat one.
 */
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setActiveContext } from "../../src/queue/context.js";
import { enqueue } from "../../src/queue/enqueue.js";
// `now` runs the task in a job context: loading it registers its job runner with the queue.
import "../../src/runtime/job-context.js";
import { getJobWith } from "../../src/queue/registry.js";
import { queueFixture, type QueueFixture } from "./helpers.js";

const TYPES_FILE = fileURLToPath(new URL("./typed-enqueue.types.ts", import.meta.url));
const TSCONFIG = fileURLToPath(new URL("../../tsconfig.json", import.meta.url));

const PROBE_FILE = TYPES_FILE.replace(/typed-enqueue\.types\.ts$/, "typed-enqueue.probe.ts");
/** In memory only: a typed-form typo, and the same keys in the flat form (where they are kwargs). */
const PROBE = `import { enqueue } from "../../src/queue/enqueue.js";
export const typed = () => enqueue("my_app.tasks.x", { kwargs: { a: 1 }, qeue: "long" });
export const flat = () => enqueue("my_app.tasks.x", { a: 1, qeue: "long" });
`;

/** Type-check the types file and the probe in one program with the repository's options. */
function typeErrors(): Map<string, string[]> {
  const read = ts.readConfigFile(TSCONFIG, ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(read.config, ts.sys, fileURLToPath(new URL("../../", import.meta.url)));
  const compile = { ...options, noEmit: true, sourceMap: false, declaration: false };
  const base = ts.createCompilerHost(compile);
  const host: ts.CompilerHost = {
    ...base,
    fileExists: (f) => f === PROBE_FILE || base.fileExists(f),
    readFile: (f) => (f === PROBE_FILE ? PROBE : base.readFile(f)),
    getSourceFile: (f, lang, ...rest) => (f === PROBE_FILE ? ts.createSourceFile(f, PROBE, lang) : base.getSourceFile(f, lang, ...rest)),
  };
  const program = ts.createProgram([TYPES_FILE, PROBE_FILE], compile, host);
  const byFile = new Map<string, string[]>([[TYPES_FILE, []], [PROBE_FILE, []]]);
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file?.fileName ?? "";
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    const list = byFile.get(file) ?? [];
    list.push(`${line}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
    byFile.set(file, list);
  }
  return byFile;
}

describe("typed enqueue: types", () => {
  it("every expected error is met and nothing else fails; a typo beside kwargs is reported, a flat kwarg is not", () => {
    const errors = typeErrors();
    expect([...errors.keys()].filter((f) => f !== TYPES_FILE && f !== PROBE_FILE)).toEqual([]);
    expect(errors.get(TYPES_FILE)).toEqual([]);
    const probe = errors.get(PROBE_FILE)!;
    expect(probe).toHaveLength(1);
    expect(probe[0]).toMatch(/^2: No overload matches this call\..*'string' is not assignable to type 'never'/);
  }, 60_000);
});

let f: QueueFixture;
async function send_invoice({ invoice, copies = 1 }: { invoice: string; copies?: number }): Promise<string> {
  return `${invoice} x${copies}`;
}

describe("typed enqueue: run time", () => {
  beforeEach(async () => {
    f = await queueFixture("typed-enqueue", { "my_app.billing.send_invoice": send_invoice as (k: Record<string, unknown>) => unknown });
  });
  afterEach(async () => {
    setActiveContext(undefined);
    await f.t.cleanup();
  });

  it("kwargs and options go where the flat form puts them", async () => {
    const typed = await enqueue(send_invoice, { kwargs: { invoice: "INV-1", copies: 2 }, queue: "long", timeout: 90, retry: 1 });
    const stored = (await getJobWith(f.env, typed.id))!;
    expect(stored).toMatchObject({ method: "my_app.billing.send_invoice", queue: "long", timeout: 90, kwargs: { invoice: "INV-1", copies: 2 } });
    expect(stored.retry).toMatchObject({ max: 1 });
    const flat = await enqueue("my_app.billing.send_invoice", { invoice: "INV-1", copies: 2, queue: "long", timeout: 90, retry: 1 });
    expect((await getJobWith(f.env, flat.id))!.kwargs).toEqual(stored.kwargs);
  });

  it("run now resolves to the task's result", async () => {
    const result: string = await enqueue(send_invoice, { kwargs: { invoice: "INV-2" }, now: true });
    expect(result).toBe("INV-2 x1");
  });
});
