/**
 * The per-schedule control options of a hooks entry (issue 16): `overlap`, `pauseOnFailure`,
 * `deadline` and `except`. Their types, their validation (one problem line per bad value, with
 * what to write instead) and their normalized form on ScheduledTask live here, so validate.ts
 * and normalize.ts only call in.
 */
import { parseWindow } from "../schedule/due.js";
import { ISO_DATE, isIsoDate } from "../schedule/exclusions.js";
import { parseSchedule } from "../schedule/schedule-expression.js";
import { OVERLAP_POLICIES, type OverlapPolicy } from "../schedule/overlap-policy.js";
import { keyPath, type ProblemList } from "../base/problems.js";

export const SCHEDULE_OPTION_KEYS = ["overlap", "pauseOnFailure", "deadline", "except"] as const;

/** As written in hooks.ts. */
export interface ScheduleOptionsInput {
  /** Default "skip": a slot whose previous run is still live is skipped (recorded in the ledger). */
  overlap?: OverlapPolicy;
  /** Pause the schedule after this many consecutive failed runs. */
  pauseOnFailure?: number;
  /** A slot's run must have finished this long after the slot ("15m", "2h", or seconds). */
  deadline?: string | number;
  /** Slots not run: ISO dates ("2026-12-25", in the task's zone) and/or cron expressions. */
  except?: string[];
}

/** On ScheduledTask, after normalization. */
export interface ScheduleOptions {
  overlap: OverlapPolicy;
  pauseOnFailure?: number;
  deadlineMs?: number;
  except?: string[];
}

export function checkScheduleOptions(entry: Record<string, unknown>, at: string, problems: ProblemList): void {
  if (entry.overlap !== undefined && !(OVERLAP_POLICIES as readonly unknown[]).includes(entry.overlap)) {
    problems.add(keyPath(at, "overlap"), `${JSON.stringify(entry.overlap)} is not an overlap policy; use one of ${OVERLAP_POLICIES.map((p) => `"${p}"`).join(", ")}`);
  }
  if (entry.pauseOnFailure !== undefined) {
    const n = entry.pauseOnFailure;
    if (!(typeof n === "number" && Number.isInteger(n) && n >= 1)) {
      problems.add(keyPath(at, "pauseOnFailure"), `${JSON.stringify(n)} is not a whole number of failed runs >= 1`);
    }
  }
  if (entry.deadline !== undefined) {
    try {
      if (typeof entry.deadline !== "string" && typeof entry.deadline !== "number") throw new Error("not a duration");
      parseWindow(entry.deadline, "deadline");
    } catch {
      problems.add(keyPath(at, "deadline"), `${JSON.stringify(entry.deadline)} is not a duration; write seconds or a number with ms, s, m, h, d or w, e.g. "15m"`);
    }
  }
  if (entry.except !== undefined) {
    if (!Array.isArray(entry.except)) {
      problems.add(keyPath(at, "except"), `must be a list of ISO dates ("2026-12-25") and/or cron expressions ("* * * * 0"), got ${JSON.stringify(entry.except)}`);
      return;
    }
    entry.except.forEach((item: unknown, i: number) => {
      const where = keyPath(keyPath(at, "except"), i);
      if (typeof item !== "string") return problems.add(where, `${JSON.stringify(item)} is not a string; write an ISO date ("2026-12-25") or a cron expression`);
      if (ISO_DATE.test(item.trim())) {
        if (!isIsoDate(item.trim())) problems.add(where, `"${item}" is not a calendar date`);
        return;
      }
      try {
        const s = parseSchedule(item);
        if (s.kind !== "cron") throw new Error("not cron");
      } catch {
        problems.add(where, `"${item}" is neither an ISO date ("2026-12-25") nor a cron expression ("* * * * 0")`);
      }
    });
  }
}

/** The normalized options of a (validated) entry. */
export function scheduleOptionsOf(entry: ScheduleOptionsInput): ScheduleOptions {
  return {
    overlap: entry.overlap ?? "skip",
    ...(entry.pauseOnFailure !== undefined ? { pauseOnFailure: entry.pauseOnFailure } : {}),
    ...(entry.deadline !== undefined ? { deadlineMs: parseWindow(entry.deadline, "deadline") } : {}),
    ...(entry.except?.length ? { except: entry.except.map((e) => e.trim()) } : {}),
  };
}
