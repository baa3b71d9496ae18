/** Validation and normalization of the per-schedule entry options: overlap, pauseOnFailure, deadline, except. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateHooks } from "../../src/hooks/validate.js";
import { normalizeHooks } from "../../src/hooks/normalize.js";
import { problemLine } from "../../src/base/problems.js";

const FILE = join(process.cwd(), "hooks.ts");
const entry = (options: Record<string, unknown>) => ({ scheduler_events: { cron: { "0 9 * * *": [{ method: "my_app.tasks.x", ...options }] } } });
const lines = (options: Record<string, unknown>) => validateHooks(entry(options), FILE, { unknownKeys: "all" }).map(problemLine);
const AT = 'hooks.ts: scheduler_events.cron["0 9 * * *"][0]';

describe("per-schedule entry options", () => {
  it("accepts every policy and well-formed values", () => {
    for (const overlap of ["skip", "bufferOne", "bufferAll", "cancelOther", "allow"]) expect(lines({ overlap })).toEqual([]);
    expect(lines({ pauseOnFailure: 3, deadline: "15m", except: ["2026-12-25", "* * * * 0", "0 0 1 1 *"] })).toEqual([]);
    expect(lines({ deadline: 900 })).toEqual([]);
  });

  it("refuses bad values with one line each naming the key and what to write", () => {
    expect(lines({ overlap: "queue" })).toEqual([`${AT}.overlap: "queue" is not an overlap policy; use one of "skip", "bufferOne", "bufferAll", "cancelOther", "allow"`]);
    expect(lines({ pauseOnFailure: 0 })).toEqual([`${AT}.pauseOnFailure: 0 is not a whole number of failed runs >= 1`]);
    expect(lines({ pauseOnFailure: 2.5 })).toHaveLength(1);
    expect(lines({ deadline: "soon" })).toEqual([`${AT}.deadline: "soon" is not a duration; write seconds or a number with ms, s, m, h, d or w, e.g. "15m"`]);
    expect(lines({ except: "2026-12-25" })[0]).toContain(`${AT}.except: must be a list of ISO dates`);
    expect(lines({ except: ["2026-02-30"] })).toEqual([`${AT}.except[0]: "2026-02-30" is not a calendar date`]);
    expect(lines({ except: ["christmas", 7] })).toEqual([
      `${AT}.except[0]: "christmas" is neither an ISO date ("2026-12-25") nor a cron expression ("* * * * 0")`,
      `${AT}.except[1]: 7 is not a string; write an ISO date ("2026-12-25") or a cron expression`,
    ]);
    expect(lines({ overlaps: "skip" })[0]).toMatch(/unknown entry key "overlaps" \(did you mean "overlap"\?\)/);
  });

  it("normalizes onto the task: skip by default, deadline in ms", () => {
    const [plain] = normalizeHooks(entry({}) as never);
    expect(plain).toMatchObject({ overlap: "skip" });
    expect(plain!.deadlineMs).toBeUndefined();
    const [full] = normalizeHooks(entry({ overlap: "bufferAll", pauseOnFailure: 2, deadline: "15m", except: [" 2026-12-25 "] }) as never);
    expect(full).toMatchObject({ overlap: "bufferAll", pauseOnFailure: 2, deadlineMs: 900_000, except: ["2026-12-25"] });
  });
});
