import { describe, expect, it } from "vitest";
import { closest, didYouMean, levenshtein } from "../../src/base/suggest.js";

describe("suggest", () => {
  it("computes edit distance", () => {
    expect(levenshtein("daily", "daily")).toBe(0);
    expect(levenshtein("dayly", "daily")).toBe(1);
    expect(levenshtein("", "abc")).toBe(3);
    expect(levenshtein("kitten", "sitting")).toBe(3);
  });

  it("suggests the closest candidate only when it is a plausible typo", () => {
    const events = ["all", "hourly", "daily", "weekly", "monthly", "cron"];
    expect(closest("dayly", events)).toBe("daily");
    expect(closest("montly", events)).toBe("monthly");
    expect(closest("Weekly", events)).toBe("weekly");
    expect(closest("zzzzzzzz", events)).toBeUndefined();
    expect(didYouMean("hourlyy", events)).toBe(' (did you mean "hourly"?)');
    expect(didYouMean("qqqqqq", events)).toBe("");
  });
});
