// Start-up memory release (src/daemon/release-garbage.ts): V8 state is per process, so the
// young-generation figures come from a fixture process each; collectWhenSettled runs here.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { collectGarbage, collectWhenSettled } from "../../src/daemon/release-garbage.js";
import { waitFor } from "../helpers/redis.js";

const fixture = fileURLToPath(new URL("./fixtures/young-generation.mjs", import.meta.url));
const run = (mode: string) =>
  JSON.parse(execFileSync(process.execPath, [fixture, mode], { encoding: "utf8", timeout: 15_000 })) as { newSpaceMb: number; collected: boolean; gcGlobal: string };

describe("release-garbage", () => {
  it("holdYoungGeneration keeps the new space at its initial size through a big start-up", () => {
    const free = run("free");
    const held = run("hold");
    expect(free.newSpaceMb).toBeGreaterThanOrEqual(8);
    expect(held.newSpaceMb).toBeLessThanOrEqual(4);
    // gc() is reached without --expose-gc, and is not left on the global object
    expect(held.collected).toBe(true);
    expect(held.gcGlobal).toBe("undefined");
  });

  it("collectWhenSettled collects once settled, then calls `then` once", async () => {
    let settled = false;
    let thens = 0;
    collectWhenSettled(() => settled, { everyMs: 10, then: () => thens++ });
    await new Promise((r) => setTimeout(r, 50));
    expect(thens).toBe(0);
    settled = true;
    await waitFor(() => thens === 1, 2000);
    await new Promise((r) => setTimeout(r, 50));
    expect(thens).toBe(1);
  });

  it("cancelling skips the collection but still lets go of what waited for it", async () => {
    let thens = 0;
    const cancel = collectWhenSettled(() => false, { everyMs: 10, then: () => thens++ });
    cancel();
    cancel();
    expect(thens).toBe(1);
    expect(collectGarbage()).toBe(true);
  });
});
