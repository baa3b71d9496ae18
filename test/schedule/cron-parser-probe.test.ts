/**
 * What cron-parser 5 itself does across DST changes, pinned so an upgrade that changes it is
 * noticed. We do not use its zone handling (see next-fire.ts); these document why.
 */
import { describe, expect, it } from "vitest";
import { CronExpressionParser } from "cron-parser";
import { nextFire, nextFires } from "../../src/schedule/next-fire.js";

const cpNext = (expr: string, tz: string, from: string) =>
  CronExpressionParser.parse(expr, { currentDate: new Date(from), tz }).next().toISOString();

describe("cron-parser 5 DST behaviour vs our policy", () => {
  it("Berlin gap: cron-parser shifts 02:30 by the gap length to 03:30; we run at 03:00", () => {
    expect(cpNext("30 2 * * *", "Europe/Berlin", "2025-03-29T12:00:00Z")).toBe("2025-03-30T01:30:00.000Z");
    expect(new Date(nextFire("30 2 * * *", "Europe/Berlin", Date.parse("2025-03-29T12:00:00Z"))!).toISOString()).toBe(
      "2025-03-30T01:00:00.000Z",
    );
  });

  it("Lord Howe 30-minute gap: cron-parser drops the 02:15 slot for the whole day; we run at 02:30", () => {
    // 2025-10-05 02:00 +10:30 -> 02:30 +11:00. cron-parser's next is the following day.
    expect(cpNext("15 2 * * *", "Australia/Lord_Howe", "2025-10-04T00:00:00Z")).toBe("2025-10-05T15:15:00.000Z");
    expect(new Date(nextFire("15 2 * * *", "Australia/Lord_Howe", Date.parse("2025-10-04T00:00:00Z"))!).toISOString()).toBe(
      "2025-10-04T15:30:00.000Z",
    );
  });

  it("Lord Howe repeated half hour: cron-parser runs */10 only in the first pass; periodic schedules run both", () => {
    const from = "2025-04-05T14:25:00Z"; // 01:25 +11:00; at 02:00 +11:00 clocks go back to 01:30 +10:30
    const theirs = CronExpressionParser.parse("*/10 * * * *", { currentDate: new Date(from), tz: "Australia/Lord_Howe" })
      .take(4)
      .map((d) => d.toISOString());
    expect(theirs).toEqual(["2025-04-05T14:30:00.000Z", "2025-04-05T14:40:00.000Z", "2025-04-05T14:50:00.000Z", "2025-04-05T15:30:00.000Z"]);
    const ours = nextFires("*/10 * * * *", "Australia/Lord_Howe", Date.parse(from), 4).map((t) => new Date(t).toISOString());
    expect(ours).toEqual(["2025-04-05T14:30:00.000Z", "2025-04-05T14:40:00.000Z", "2025-04-05T14:50:00.000Z", "2025-04-05T15:00:00.000Z"]);
  });
});
