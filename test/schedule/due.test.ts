import { describe, expect, it } from "vitest";
import { dueSlots, parseWindow, DEFAULT_GRACE_MS } from "../../src/schedule/due.js";
import type { CatchupPolicy } from "../../src/schedule/due.js";
import { ConfigError } from "../../src/base/errors.js";

const at = (iso: string) => Date.parse(iso);
const H = 3_600_000;
const DAY = 24 * H;
const task = (expression: string, catchup: CatchupPolicy = "latest") => ({ expression, catchup });
const B = "Europe/Berlin";

describe("on time", () => {
  it("a tick just after the slot fires it, not as a catch-up", () => {
    const slot = at("2025-01-15T10:00:00Z");
    const r = dueSlots(task("0 * * * *"), B, slot - H, slot + 3);
    expect(r.slots).toEqual([{ slot, catchup: false }]);
    expect(r.skipped).toEqual([]);
    expect(r.next).toBe(slot + H);
    expect(r.baseline).toBeUndefined();
  });
  it("a tick before the slot fires nothing and says when to wake", () => {
    const r = dueSlots(task("0 * * * *"), B, at("2025-01-15T09:00:00Z"), at("2025-01-15T09:59:59.990Z"));
    expect(r.slots).toEqual([]);
    expect(r.next).toBe(at("2025-01-15T10:00:00Z"));
  });
});

describe("a brand-new task (no recorded slot)", () => {
  it("fires no past slot and hands back the baseline to record", () => {
    const now = at("2025-01-15T10:00:30Z");
    const r = dueSlots(task("* * * * *"), B, undefined, now);
    expect(r.slots).toEqual([]);
    expect(r.baseline).toBe(now);
    expect(r.next).toBe(at("2025-01-15T10:01:00Z"));
  });
  it("fires slots after the moment it was first seen", () => {
    const firstSeen = at("2025-01-15T09:59:58Z");
    const r = dueSlots(task("* * * * *"), B, undefined, at("2025-01-15T10:00:00.004Z"), firstSeen);
    expect(r.slots).toEqual([{ slot: at("2025-01-15T10:00:00Z"), catchup: false }]);
    expect(r.baseline).toBe(firstSeen);
  });
});

describe("after 3 days down", () => {
  const last = at("2025-01-12T10:00:00Z");
  const now = at("2025-01-15T10:20:00Z");

  it("latest (Frappe): one run of the latest slot; the rest are counted as missed", () => {
    const r = dueSlots(task("0 * * * *", "latest"), B, last, now);
    expect(r.slots).toEqual([{ slot: at("2025-01-15T10:00:00Z"), catchup: true }]);
    expect(r.skipped).toEqual([
      { reason: "missed", firstSlot: last + H, slot: at("2025-01-15T09:00:00Z"), count: 71, capped: false },
    ]);
    expect(r.next).toBe(at("2025-01-15T11:00:00Z"));
  });

  it("none: nothing runs (the latest slot is outside the grace); all are skipped", () => {
    const r = dueSlots(task("0 * * * *", "none"), B, last, now);
    expect(r.slots).toEqual([]);
    expect(r.skipped).toEqual([
      { reason: "outside-catchup-window", firstSlot: last + H, slot: at("2025-01-15T10:00:00Z"), count: 72, capped: false },
    ]);
  });

  it("none: a slot within the grace still runs", () => {
    const r = dueSlots(task("0 * * * *", "none"), B, last, at("2025-01-15T10:00:00Z") + DEFAULT_GRACE_MS);
    expect(r.slots).toEqual([{ slot: at("2025-01-15T10:00:00Z"), catchup: false }]);
    expect(r.skipped[0]).toMatchObject({ reason: "outside-catchup-window", count: 71 });
  });

  it("all with a 6h window: every slot inside it, oldest first; older ones skipped", () => {
    const r = dueSlots(task("0 * * * *", { all: true, window: "6h" }), B, last, now);
    expect(r.slots.map((s) => new Date(s.slot).toISOString())).toEqual(
      ["05", "06", "07", "08", "09", "10"].map((h) => `2025-01-15T${h}:00:00.000Z`),
    );
    expect(r.slots.every((s) => s.catchup)).toBe(true);
    expect(r.skipped).toEqual([
      { reason: "outside-catchup-window", firstSlot: last + H, slot: at("2025-01-15T04:00:00Z"), count: 66, capped: false },
    ]);
    expect(r.more).toBeUndefined();
  });

  it("all is bounded per call and resumes where it stopped", () => {
    const t = task("* * * * *", { all: true, window: 2 * 86_400 });
    const first = dueSlots(t, B, last, now, undefined, { maxSlots: 1000 });
    expect(first.slots).toHaveLength(1000);
    expect(first.more).toBe(true);
    expect(first.next).toBe(now);
    expect(first.slots[0]!.slot).toBe(now - 2 * DAY + 60_000);
    const second = dueSlots(t, B, first.slots.at(-1)!.slot, now, undefined, { maxSlots: 1000 });
    expect(second.slots[0]!.slot).toBe(first.slots.at(-1)!.slot + 60_000);
    expect(second.skipped).toEqual([]);
  });

  it("an @every 1 task costs O(1) for latest and none, with an exact count", () => {
    for (const policy of ["latest", "none"] as const) {
      const started = performance.now();
      const r = dueSlots(task("@every 1", policy), B, last, now);
      expect(performance.now() - started).toBeLessThan(50);
      const total = (now - last) / 1000;
      const counted = r.skipped[0]!.count + r.slots.length;
      expect(counted).toBe(total);
    }
  });

  it("a per-second cron is bounded too: the count stops at the cap", () => {
    const started = performance.now();
    const r = dueSlots(task("* * * * * *", "latest"), B, last, now);
    expect(r.slots).toEqual([{ slot: now, catchup: false }]);
    expect(r.skipped[0]).toMatchObject({ reason: "missed", capped: true, count: 1000 });
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});

describe("clock jumps", () => {
  const slot = at("2025-01-15T10:00:00Z");
  it("back a minute: a recorded slot never fires again", () => {
    for (const catchup of ["latest", "none", { all: true }] as CatchupPolicy[]) {
      const r = dueSlots(task("* * * * *", catchup), B, slot, slot - 60_000);
      expect(r.slots).toEqual([]);
      expect(r.skipped).toEqual([]);
      expect(r.next).toBe(slot + 60_000);
    }
  });
  it("forward an hour: per policy", () => {
    const now = slot + H + 2_000;
    const latest = dueSlots(task("* * * * *", "latest"), B, slot, now);
    expect(latest.slots).toEqual([{ slot: slot + H, catchup: false }]);
    expect(latest.skipped[0]).toMatchObject({ reason: "missed", count: 59 });
    const none = dueSlots(task("* * * * *", "none"), B, slot, now);
    expect(none.slots).toEqual([{ slot: slot + H, catchup: false }]);
    expect(none.skipped[0]).toMatchObject({ reason: "outside-catchup-window", count: 59 });
    const all = dueSlots(task("* * * * *", { all: true, window: "1d" }), B, slot, now);
    expect(all.slots).toHaveLength(60);
    expect(all.slots.filter((s) => s.catchup)).toHaveLength(59);
  });
});

describe("parseWindow", () => {
  it("reads durations and seconds", () => {
    expect(parseWindow("6h")).toBe(6 * H);
    expect(parseWindow("30m")).toBe(1_800_000);
    expect(parseWindow("2d")).toBe(2 * DAY);
    expect(parseWindow(90)).toBe(90_000);
    expect(parseWindow(undefined)).toBe(DAY);
  });
  it("rejects anything else with a clear error", () => {
    expect(() => parseWindow("soon")).toThrow(ConfigError);
    expect(() => parseWindow("soon")).toThrow(/catchup.window: "soon" is not a duration/);
    expect(() => parseWindow(-5)).toThrow(/not a duration/);
  });
});
