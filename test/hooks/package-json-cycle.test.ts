/** package.json `"scheduler": "<path>"` chains that point in a circle: one clear error, no loop. */
import { afterAll, describe, expect, it } from "vitest";
import { HooksError } from "../../src/base/errors.js";
import { loadHooks } from "../../src/hooks/load.js";
import { cleanupApps, makeApp } from "./app-fixture.js";

afterAll(cleanupApps);

/** Bounded: a loop must fail the test in seconds, not run into vitest's own minute. */
async function loadError(cwd: string, hooksPath?: string): Promise<HooksError> {
  const outcome = await Promise.race([
    loadHooks({ cwd, ...(hooksPath ? { hooksPath } : {}) }).then(
      () => "loaded" as const,
      (e: unknown) => e,
    ),
    new Promise((resolve) => setTimeout(() => resolve("still looping after 5 s"), 5_000).unref()),
  ]);
  expect(outcome).toBeInstanceOf(HooksError);
  return outcome as HooksError;
}

describe("package.json scheduler key pointing in a circle", () => {
  it('"scheduler": "./package.json" names the file and the circle', async () => {
    const cwd = await makeApp({ "package.json": JSON.stringify({ name: "app", scheduler: "./package.json" }) });
    const err = await loadError(cwd);
    expect(err.code).toBe("HOOKS_CYCLE");
    expect(err.message).toMatch(/package\.json: "scheduler" points back to a file already followed \(.*package\.json -> .*package\.json\)/);
    expect(err.message.split("\n")).toHaveLength(1);
  });

  it("two package.json files pointing at each other", async () => {
    const cwd = await makeApp({
      "package.json": JSON.stringify({ name: "app", scheduler: "./sub/package.json" }),
      "sub/package.json": JSON.stringify({ name: "sub", scheduler: "../package.json" }),
    });
    const err = await loadError(cwd);
    expect(err.code).toBe("HOOKS_CYCLE");
    expect(err.message).toContain("sub/package.json");
  });

  it("the same circle reached through --hooks", async () => {
    const cwd = await makeApp({ "package.json": JSON.stringify({ name: "app", scheduler: "package.json" }) });
    const err = await loadError(cwd, "package.json");
    expect(err.code).toBe("HOOKS_CYCLE");
  });

  it("a chain without a circle still loads", async () => {
    const cwd = await makeApp({
      "package.json": JSON.stringify({ name: "app", scheduler: "./sub/package.json" }),
      "sub/package.json": JSON.stringify({ name: "sub", scheduler: { scheduler_events: { daily: ["my_app.tasks.x"] } } }),
    });
    const hooks = await loadHooks({ cwd });
    expect(hooks.tasks.map((t) => t.method)).toEqual(["my_app.tasks.x"]);
  });
});
