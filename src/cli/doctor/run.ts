/**
 * Runs the doctor checks in order and renders their findings. To add a check, write a `Check`
 * and append it to CHECKS (later checks may read what earlier ones left on the context).
 */
import { configCheck, hooksCheck, taskPathsCheck } from "./hooks-checks.js";
import { persistenceCheck, redisCheck } from "./redis-checks.js";
import { recentFailuresCheck, schedulerCheck, stuckJobsCheck, workersCheck } from "./runtime-checks.js";
import { schedulesCheck } from "./schedule-checks.js";
import { finding, type Check, type DoctorContext, type DoctorOptions, type Finding } from "./types.js";
import { describeError } from "../../errors.js";

export const CHECKS: Check[] = [
  hooksCheck,
  taskPathsCheck,
  configCheck,
  redisCheck,
  persistenceCheck,
  workersCheck,
  schedulerCheck,
  stuckJobsCheck,
  recentFailuresCheck,
  schedulesCheck,
];

export async function runDoctor(options: DoctorOptions, checks: readonly Check[] = CHECKS): Promise<Finding[]> {
  const ctx: DoctorContext = { options, cleanup: [] };
  const findings: Finding[] = [];
  try {
    for (const check of checks) {
      try {
        findings.push(...(await check.run(ctx)));
      } catch (err) {
        // A check that crashes is a finding too; the others still run.
        findings.push(finding(check.name, "error", `check failed: ${describeError(err)}`, "report this; run with SCHEDULER_DEBUG=1 for details"));
      }
    }
  } finally {
    for (const fn of ctx.cleanup) await fn();
  }
  return findings;
}

export function healthy(findings: readonly Finding[]): boolean {
  return !findings.some((f) => f.level === "error");
}

const LABEL: Record<Finding["level"], string> = { ok: "ok   ", warn: "warn ", error: "error" };

/** One line per finding: `error hooks: hooks.ts: scheduler_events.dayly: ... -> fix: ...`. */
export function formatFindings(findings: readonly Finding[]): string {
  const lines = findings.map((f) => {
    const fix = f.fix && f.level !== "ok" ? `  -> ${f.fix}` : "";
    // Multi-line messages (several problems) stay one finding per line.
    return `${LABEL[f.level]} ${f.check}: ${f.message.replace(/\n/g, " | ")}${fix}`;
  });
  const errors = findings.filter((f) => f.level === "error").length;
  const warnings = findings.filter((f) => f.level === "warn").length;
  lines.push(errors ? `doctor: ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}` : `doctor: healthy${warnings ? ` (${warnings} warning${warnings === 1 ? "" : "s"})` : ""}`);
  return lines.join("\n") + "\n";
}
