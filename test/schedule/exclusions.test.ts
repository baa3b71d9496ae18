import { describe, expect, it } from "vitest";
import { exclusionOf } from "../../src/schedule/exclusions.js";

const at = (iso: string) => Date.parse(iso);

describe("except: which slots are excluded", () => {
  it("an ISO date excludes that wall day in the task's zone, not the UTC day", () => {
    // 2026-12-24 23:30 UTC is 2026-12-25 00:30 in Berlin
    expect(exclusionOf(["2026-12-25"], at("2026-12-24T23:30:00Z"), "Europe/Berlin")).toBe("2026-12-25");
    expect(exclusionOf(["2026-12-25"], at("2026-12-24T23:30:00Z"), "UTC")).toBeUndefined();
    expect(exclusionOf(["2026-12-25"], at("2026-12-25T22:59:00Z"), "Europe/Berlin")).toBe("2026-12-25");
    expect(exclusionOf(["2026-12-25"], at("2026-12-25T23:00:00Z"), "Europe/Berlin")).toBeUndefined();
  });

  it("a cron expression excludes the wall times it matches", () => {
    // 2026-12-06 is a Sunday
    expect(exclusionOf(["* * * * 0"], at("2026-12-06T10:00:00Z"), "UTC")).toBe("* * * * 0");
    expect(exclusionOf(["* * * * 0"], at("2026-12-07T10:00:00Z"), "UTC")).toBeUndefined();
    // 5 fields match to the minute, so a per-second slot inside a matching minute is excluded
    expect(exclusionOf(["30 9 * * *"], at("2026-12-07T09:30:17Z"), "UTC")).toBe("30 9 * * *");
    expect(exclusionOf(["30 9 * * *"], at("2026-12-07T09:31:00Z"), "UTC")).toBeUndefined();
    // 6 fields (seconds first) match to the second
    expect(exclusionOf(["*/10 * * * * *"], at("2026-12-07T09:31:20Z"), "UTC")).toBe("*/10 * * * * *");
    expect(exclusionOf(["*/10 * * * * *"], at("2026-12-07T09:31:21Z"), "UTC")).toBeUndefined();
  });

  it("no rules, no exclusion; the first matching rule is named", () => {
    expect(exclusionOf(undefined, at("2026-12-25T10:00:00Z"), "UTC")).toBeUndefined();
    expect(exclusionOf([], at("2026-12-25T10:00:00Z"), "UTC")).toBeUndefined();
    expect(exclusionOf(["2026-12-24", "* * 25 12 *", "2026-12-25"], at("2026-12-25T10:00:00Z"), "UTC")).toBe("* * 25 12 *");
  });
});
