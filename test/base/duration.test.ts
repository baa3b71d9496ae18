import { describe, expect, it } from "vitest";
import { durationMs, formatSeconds, parseDuration } from "../../src/base/duration.js";

describe("parseDuration: the one duration parser", () => {
  it.each([
    // What the CLI parser accepted (logs --since, enqueue --delay, reload --timeout).
    ["30s", 30_000],
    ["10m", 600_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
    ["1w", 604_800_000],
    ["500ms", 500],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    [" 10M ", 600_000],
    ["0s", 0],
    // What the environment variables, enqueue({ delay }), --grace and catchup.window accepted.
    ["10", 10_000],
    ["1.5", 1_500],
    [" 30 ", 30_000],
    ["1e3", 1_000_000],
    ["0", 0],
    ["6 h", 21_600_000],
    ["2D", 172_800_000],
  ])("%j is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it("reads a number as seconds", () => {
    expect(parseDuration(90)).toBe(90_000);
    expect(parseDuration(0.25)).toBe(250);
    expect(durationMs(0)).toBe(0);
  });

  it("rounds to whole ms in parseDuration only", () => {
    expect(parseDuration("0.0004")).toBe(0);
    expect(durationMs("0.0004")).toBeCloseTo(0.4);
  });

  it.each(["", "   ", "m", "10 minutes", "-5m", "-5", "10x", "1h 30m", "ms", "Infinity", "NaN", "soon"])(
    "rejects %j naming the argument and the forms",
    (text) => {
      expect(durationMs(text)).toBeUndefined();
      expect(() => parseDuration(text, "--since")).toThrowError(expect.objectContaining({ code: "BAD_DURATION" }));
      try {
        parseDuration(text, "--since");
      } catch (err) {
        expect((err as { toLine(): string }).toLine()).toMatch(/^--since ".*" is not a duration \(write seconds or a number with a unit: ms, s, m, h, d or w/);
      }
    },
  );

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("rejects the number %d", (n) => {
    expect(durationMs(n)).toBeUndefined();
  });

  it("rejects what is neither a number nor a string", () => {
    for (const v of [null, undefined, true, {}, [], 10n]) expect(durationMs(v)).toBeUndefined();
  });

  it("keeps the caller's error code", () => {
    expect(() => parseDuration("soon", "catchup.window", "BAD_CATCHUP_WINDOW")).toThrowError(expect.objectContaining({ code: "BAD_CATCHUP_WINDOW" }));
  });

  it("formats ms as seconds for messages", () => {
    expect(formatSeconds(5_000)).toBe("5 s");
    expect(formatSeconds(500)).toBe("0.5 s");
  });
});
