/** The load probe on real files: one thread for several modules, a failing one does not hide the rest. */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { probeLoad, probeLoadAll } from "../../src/tasks/load-probe.js";
import { cleanupApps, makeApp } from "../hooks/app-fixture.js";

afterAll(cleanupApps);

describe("probeLoadAll", () => {
  it("reports each failing module by name and still probes the ones after it", async () => {
    const root = await makeApp({
      "a.ts": "export const a: number = 1;\n",
      "loops.ts": "while (true) {}\n",
      "b.ts": "export const b = 2;\n",
      "exits.ts": "process.exit(42);\n",
      "never.mjs": "await new Promise(() => {});\n",
      "throws.ts": 'throw new Error("the real import reports this");\n',
      "c.ts": "export const c = 3;\n",
    });
    const files = ["a.ts", "loops.ts", "b.ts", "exits.ts", "never.mjs", "throws.ts", "c.ts"].map((f) => join(root, f));
    const results = await probeLoadAll(files, 5000, (f) => f.slice(root.length + 1));
    expect(Object.fromEntries([...results].map(([f, p]) => [f.slice(root.length + 1), p]))).toEqual({
      "a.ts": undefined,
      "loops.ts": "loading loops.ts did not finish in 5 s",
      "b.ts": undefined,
      "exits.ts": "exits.ts exited with code 42 while loading",
      "never.mjs": "loading never.mjs never finished: a top-level await waits on a promise that never settles (or process.exit(0) at import)",
      "throws.ts": undefined,
      "c.ts": undefined,
    });
  });

  it("a module that keeps a handle open (an interval) at import still counts as finished", async () => {
    const root = await makeApp({ "interval.ts": "setInterval(() => {}, 1000);\nexport const x = 1;\n" });
    expect(await probeLoad(join(root, "interval.ts"), 5000)).toBeUndefined();
  });
});
