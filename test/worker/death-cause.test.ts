/** deathCause: the words a crashed child's jobs get in their abandoned reason. */
import { describe, expect, it } from "vitest";
import { deathCause } from "../../src/worker/supervisor/death-cause.js";

describe("deathCause", () => {
  it("names a V8 heap overflow from the child's last stderr lines, whatever the exit looked like", () => {
    const stderrTail = ["<--- Last few GCs --->", "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"];
    expect(deathCause({ code: null, signal: "SIGABRT", stderrTail })).toMatch(/^out of memory \(the V8 heap limit was reached; raise the queue's maxMemoryMb/);
    expect(deathCause({ code: 134, signal: null, stderrTail })).toMatch(/^out of memory/);
  });

  it("names the signal, and for SIGKILL the usual suspects", () => {
    expect(deathCause({ code: null, signal: "SIGKILL", stderrTail: [] })).toBe("killed by SIGKILL (the system's out-of-memory killer, or kill -9)");
    expect(deathCause({ code: null, signal: "SIGSEGV", stderrTail: ["something else"] })).toBe("killed by SIGSEGV");
  });

  it("names the exit code otherwise", () => {
    expect(deathCause({ code: 7, signal: null, stderrTail: [] })).toBe("exited with code 7 (process.exit in a task, or a crash)");
  });
});
