import { describe, expect, it } from "vitest";
import { nextFire, nextFires, prevFire, validateSchedule } from "../../src/schedule/next-fire.js";
import { ConfigError } from "../../src/base/errors.js";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const B = "Europe/Berlin";

describe("nextFire: every event of scheduler_events", () => {
  // Wednesday 2025-01-15 10:20:30 in Berlin (UTC+1).
  const now = at("2025-01-15T10:20:30+01:00");
  it.each([
    ["all (@every 60)", "@every 60", "2025-01-15T09:21:00.000Z"],
    ["hourly", "0 * * * *", "2025-01-15T10:00:00.000Z"],
    ["daily", "0 0 * * *", "2025-01-15T23:00:00.000Z"],
    ["weekly (Monday)", "0 0 * * 1", "2025-01-19T23:00:00.000Z"],
    ["monthly", "0 0 1 * *", "2025-01-31T23:00:00.000Z"],
    ["yearly", "0 0 1 1 *", "2025-12-31T23:00:00.000Z"],
    ["cron 0 9 * * *", "0 9 * * *", "2025-01-16T08:00:00.000Z"],
    ["cron */15", "*/15 * * * *", "2025-01-15T09:30:00.000Z"],
    ["6 fields, seconds first", "*/10 * * * * *", "2025-01-15T09:20:40.000Z"],
  ])("%s", (_name, expr, expected) => {
    expect(iso(nextFire(expr, B, now))).toBe(expected);
  });

  it("is strictly after `after`; prevFire is at-or-before", () => {
    const slot = at("2025-01-15T10:00:00Z");
    expect(iso(nextFire("0 * * * *", "UTC", slot))).toBe("2025-01-15T11:00:00.000Z");
    expect(iso(nextFire("0 * * * *", "UTC", slot - 1))).toBe("2025-01-15T10:00:00.000Z");
    expect(iso(prevFire("0 * * * *", "UTC", slot))).toBe("2025-01-15T10:00:00.000Z");
    expect(iso(prevFire("0 * * * *", "UTC", slot - 1))).toBe("2025-01-15T09:00:00.000Z");
    expect(iso(nextFire("* * * * * *", "UTC", slot + 999))).toBe("2025-01-15T10:00:01.000Z");
    expect(iso(prevFire("* * * * * *", "UTC", slot + 999))).toBe("2025-01-15T10:00:00.000Z");
  });

  it("@every N counts N seconds since the epoch, whatever the zone", () => {
    const t = at("2025-03-30T00:59:58Z");
    for (const zone of [B, "America/New_York", "Australia/Lord_Howe"]) {
      const n = nextFire("@every 7", zone, t)!;
      expect(n % 7000).toBe(0);
      expect(n - t).toBeLessThanOrEqual(7000);
      expect(n).toBeGreaterThan(t);
      expect(prevFire("@every 7", zone, n)).toBe(n);
    }
    expect(nextFire("@every 2m", "UTC", at("2025-01-01T00:01:00Z"))).toBe(at("2025-01-01T00:02:00Z"));
  });

  it("nextFires lists ascending slots", () => {
    expect(nextFires("0 0 * * 1", B, at("2025-01-15T00:00:00Z"), 3).map(iso)).toEqual([
      "2025-01-19T23:00:00.000Z",
      "2025-01-26T23:00:00.000Z",
      "2025-02-02T23:00:00.000Z",
    ]);
  });
});

describe("nextFire: calendar edges", () => {
  it("month ends: day 31 skips short months; L is the last day", () => {
    expect(nextFires("0 0 31 * *", "UTC", at("2025-01-31T00:00:00Z"), 2).map(iso)).toEqual([
      "2025-03-31T00:00:00.000Z",
      "2025-05-31T00:00:00.000Z",
    ]);
    expect(nextFires("0 0 L * *", "UTC", at("2024-01-31T00:00:00Z"), 3).map(iso)).toEqual([
      "2024-02-29T00:00:00.000Z",
      "2024-03-31T00:00:00.000Z",
      "2024-04-30T00:00:00.000Z",
    ]);
    expect(iso(nextFire("0 0 L * *", "UTC", at("2025-02-01T00:00:00Z")))).toBe("2025-02-28T00:00:00.000Z");
  });

  it("Feb 29 fires in leap years only", () => {
    expect(iso(nextFire("0 0 29 2 *", B, at("2024-01-01T00:00:00Z")))).toBe("2024-02-28T23:00:00.000Z");
    expect(iso(nextFire("0 0 29 2 *", B, at("2025-01-01T00:00:00Z")))).toBe("2028-02-28T23:00:00.000Z");
    expect(iso(prevFire("0 0 29 2 *", B, at("2027-06-01T00:00:00Z")))).toBe("2024-02-28T23:00:00.000Z");
  });

  it("1 January: daily, monthly and yearly all land on local midnight", () => {
    const eve = at("2025-12-31T23:59:59+01:00");
    for (const expr of ["0 0 * * *", "0 0 1 * *", "0 0 1 1 *"]) {
      expect(iso(nextFire(expr, B, eve))).toBe("2025-12-31T23:00:00.000Z");
    }
    expect(iso(nextFire("0 0 1 1 *", "America/New_York", at("2025-06-01T00:00:00Z")))).toBe("2026-01-01T05:00:00.000Z");
  });

  it("# and L in the day-of-week field", () => {
    expect(iso(nextFire("0 9 * * 1#1", "UTC", at("2025-01-15T00:00:00Z")))).toBe("2025-02-03T09:00:00.000Z");
    expect(iso(nextFire("0 9 * * 5L", "UTC", at("2025-01-01T00:00:00Z")))).toBe("2025-01-31T09:00:00.000Z");
  });

  it("weekly Monday from a Sunday evening and from Monday 00:00 itself", () => {
    expect(iso(nextFire("0 0 * * 1", B, at("2025-01-19T23:59:00+01:00")))).toBe("2025-01-19T23:00:00.000Z");
    expect(iso(nextFire("0 0 * * 1", B, at("2025-01-20T00:00:00+01:00")))).toBe("2025-01-26T23:00:00.000Z");
  });
});

describe("bad input is one clear error", () => {
  it.each([
    ["* * *", /expected 5 or 6 fields, got 3/],
    ["* * * * * * *", /expected 5 or 6 fields, got 7/],
    ["61 * * * *", /invalid schedule "61 \* \* \* \*"/],
    ["0 0 30 2 *", /invalid schedule/],
    ["@every 0", /at least 1 second/],
    ["@every soon", /@every <N>/],
  ])("%s", (expr, message) => {
    expect(() => validateSchedule(expr, "UTC")).toThrow(ConfigError);
    expect(() => validateSchedule(expr, "UTC")).toThrow(message);
  });
  it("unknown zone", () => {
    expect(() => nextFire("0 * * * *", "Mars/Olympus", 0)).toThrow(/unknown time zone "Mars\/Olympus"/);
  });
});
