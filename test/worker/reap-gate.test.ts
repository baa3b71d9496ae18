/** The reap gate: a supervisor cut off from Redis waits one lease period of good contact before it reaps. */
import { describe, expect, it } from "vitest";
import { ReapGate } from "../../src/worker/supervisor/reap-gate.js";

const LEASE = 6000;
const SLOW = 2000;

/** A gate past its start-up wait, at t = 10 000. */
function openGate(): ReapGate {
  const gate = new ReapGate({ leaseMs: LEASE, slowMs: SLOW }, 0);
  gate.begin(9_990);
  gate.end(10_000, true);
  expect(gate.mayReap(10_000)).toBe(true);
  return gate;
}

describe("ReapGate", () => {
  it("waits one lease period after start-up, then opens", () => {
    const gate = new ReapGate({ leaseMs: LEASE, slowMs: SLOW }, 1000);
    expect(gate.mayReap(1000)).toBe(false);
    expect(gate.mayReap(1000 + LEASE - 1)).toBe(false);
    expect(gate.mayReap(1000 + LEASE)).toBe(true);
    expect(gate.cutOff).toBe(false);
  });

  it("quick round trips keep it open", () => {
    const gate = openGate();
    for (let t = 10_000; t < 30_000; t += 2000) {
      gate.begin(t);
      gate.end(t + 50, true);
      expect(gate.mayReap(t + 60)).toBe(true);
    }
  });

  it("a round trip still waiting longer than slowMs closes it at once (we are cut off now)", () => {
    const gate = openGate();
    gate.begin(12_000);
    expect(gate.mayReap(12_000 + SLOW)).toBe(true);
    expect(gate.mayReap(12_000 + SLOW + 1)).toBe(false);
    expect(gate.cutOff).toBe(true);
  });

  it("a freeze: the late answer keeps it closed for a full lease after it arrives", () => {
    const gate = openGate();
    gate.begin(12_000);
    gate.end(27_000, true); // Redis answered 15 s late
    expect(gate.mayReap(27_000)).toBe(false);
    // good contact again, but the owners may not all have renewed yet
    gate.begin(28_000);
    gate.end(28_010, true);
    expect(gate.mayReap(27_000 + LEASE - 1)).toBe(false);
    expect(gate.mayReap(27_000 + LEASE)).toBe(true);
  });

  it("a failed round trip closes it for a lease from the failure", () => {
    const gate = openGate();
    gate.begin(12_000);
    gate.end(12_100, false);
    expect(gate.mayReap(12_100 + LEASE - 1)).toBe(false);
    expect(gate.mayReap(12_100 + LEASE)).toBe(true);
  });

  it("repeated failures push the opening out; the last one counts", () => {
    const gate = openGate();
    for (const t of [12_000, 14_000, 16_000]) {
      gate.begin(t);
      gate.end(t + 10, false);
    }
    expect(gate.mayReap(16_010 + LEASE - 1)).toBe(false);
    expect(gate.mayReap(16_010 + LEASE)).toBe(true);
  });

  it("a reconnect reported by the client closes it too", () => {
    const gate = openGate();
    gate.lost(20_000);
    expect(gate.mayReap(20_000 + LEASE - 1)).toBe(false);
    expect(gate.mayReap(20_000 + LEASE)).toBe(true);
  });
});
