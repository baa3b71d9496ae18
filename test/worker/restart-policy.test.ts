import { describe, expect, it } from "vitest";
import { DEFAULT_RESTART_POLICY, RestartPolicy } from "../../src/worker/supervisor/restart-policy.js";

describe("RestartPolicy", () => {
  it("restarts a child that lived past the unstable window at once, and keeps no count", () => {
    const p = new RestartPolicy();
    expect(p.onDeath(5000)).toEqual({ action: "restart", delayMs: 0, unstable: false, unstableCount: 0 });
    expect(p.unstableCount).toBe(0);
  });

  it("backs off exponentially (capped) for children that die before or soon after being ready", () => {
    const p = new RestartPolicy({ ...DEFAULT_RESTART_POLICY, baseDelayMs: 100, maxDelayMs: 1000 });
    const delays = [undefined, 10, 999, undefined, undefined, 0].map((ms) => {
      const d = p.onDeath(ms);
      if (d.action !== "restart") throw new Error("gave up too early");
      expect(d.unstable).toBe(true);
      return d.delayMs;
    });
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("gives up after maxUnstable unstable restarts in a row (16 by default)", () => {
    const p = new RestartPolicy();
    for (let i = 1; i <= 16; i++) expect(p.onDeath(undefined)).toMatchObject({ action: "restart", unstableCount: i });
    expect(p.onDeath(undefined)).toEqual({ action: "give-up", unstableCount: 17 });
  });

  it("a stable run resets the unstable count", () => {
    const p = new RestartPolicy({ ...DEFAULT_RESTART_POLICY, maxUnstable: 2 });
    p.onDeath(undefined);
    p.onDeath(undefined);
    expect(p.onDeath(60_000)).toMatchObject({ action: "restart", unstable: false });
    expect(p.onDeath(undefined)).toMatchObject({ action: "restart", unstableCount: 1, delayMs: 100 });
    expect(p.onDeath(undefined)).toMatchObject({ action: "restart", unstableCount: 2 });
    expect(p.onDeath(undefined)).toMatchObject({ action: "give-up" });
  });
});
