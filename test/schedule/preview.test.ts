import { describe, expect, it } from "vitest";
import { previewFires } from "../../src/schedule/preview.js";

const from = (iso: string) => Date.parse(iso);

describe("previewFires names DST adjustments on the line", () => {
  it("a fixed-hour slot in the spring-forward gap runs at the gap's end, and says so", () => {
    const [f] = previewFires("30 2 * * *", "Europe/Berlin", from("2027-03-27T12:00:00Z"), 1);
    expect(f).toMatchObject({ utc: "2027-03-28T01:00:00.000Z", local: "2027-03-28 03:00:00 CEST" });
    expect(f!.dst).toBe("02:30 does not exist on 2027-03-28: runs at 03:00 CEST");
    const [next] = previewFires("30 2 * * *", "Europe/Berlin", f!.at, 1);
    expect(next).toMatchObject({ utc: "2027-03-29T00:30:00.000Z" });
    expect(next!.dst).toBeUndefined();
  });

  it("a fixed-hour slot in the fall-back repeat runs at the first occurrence", () => {
    const fires = previewFires("30 2 * * *", "Europe/Berlin", from("2027-10-30T12:00:00Z"), 2);
    expect(fires[0]).toMatchObject({ utc: "2027-10-31T00:30:00.000Z", dst: "02:30 repeats: runs at the first (02:30 CEST)" });
    expect(fires[1]).toMatchObject({ utc: "2027-11-01T01:30:00.000Z" });
    expect(fires[1]!.dst).toBeUndefined();
  });

  it("an hourly schedule runs both repeated hours and names them", () => {
    const fires = previewFires("30 * * * *", "Europe/Berlin", from("2027-10-30T23:45:00Z"), 3);
    expect(fires.map((f) => f.utc)).toEqual(["2027-10-31T00:30:00.000Z", "2027-10-31T01:30:00.000Z", "2027-10-31T02:30:00.000Z"]);
    expect(fires[0]!.dst).toBe("02:30 repeats: runs at both (this is the first, 02:30 CEST)");
    expect(fires[1]!.dst).toBe("02:30 repeats: the second run (02:30 CET)");
    expect(fires[2]!.dst).toBeUndefined();
  });

  it("ordinary fires carry no note, in any zone; @every has none", () => {
    for (const f of previewFires("0 9 * * 1-5", "America/New_York", from("2027-01-04T00:00:00Z"), 5)) expect(f.dst).toBeUndefined();
    const every = previewFires("@every 90", "Europe/Berlin", from("2027-03-28T00:59:00Z"), 2);
    expect(every.map((f) => f.utc)).toEqual(["2027-03-28T01:00:00.000Z", "2027-03-28T01:01:30.000Z"]);
    expect(every[0]!.dst).toBeUndefined();
  });
});
