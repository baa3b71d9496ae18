import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/cli/duration.js";

describe("parseDuration", () => {
  it.each([
    ["30s", 30_000],
    ["10m", 600_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
    ["1w", 604_800_000],
    ["500ms", 500],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    [" 10M ", 600_000],
  ])("%s is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "10", "m", "10 minutes", "-5m", "10x", "1h 30m", "ms"])("rejects %j naming the argument and the units", (text) => {
    expect(() => parseDuration(text, "--since")).toThrowError(expect.objectContaining({ code: "BAD_DURATION" }));
    try {
      parseDuration(text, "--since");
    } catch (err) {
      expect((err as { toLine(): string }).toLine()).toMatch(/^--since ".*" is not a duration \(write a number with a unit: ms, s, m, h, d or w/);
    }
  });
});
