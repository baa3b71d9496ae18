/**
 * Runs the doctor checks in order and renders their findings. To add a check, write a `Check`
 * and append it to CHECKS (later checks may read what earlier ones left on the context).
 */
import { configCheck, hooksCheck, taskPathsCheck } from "./hooks-checks.js";
import { persistenceCheck, redisCheck } from "./redis-checks.js";
import { recentFailuresCheck, schedulerCheck, stuckJobsCheck, workersCheck } from "./runtime-checks.js";
import { schedulesCheck } from "./schedule-checks.js";
import { finding, type Check, type DoctorContext, type DoctorOptions, type Finding } from "./types.js";
import { describeError } from "../../base/errors.js";
import { paint, type Colour } from "../../log/color.js";

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
const COLOUR: Record<Finding["level"], Colour> = { ok: "green", warn: "yellow", error: "red" };

/** One line per finding: `error hooks: hooks.ts: scheduler_events.dayly: ... -> fix: ...`. */
export function formatFindings(findings: readonly Finding[], color = false): string {
  const lines = findings.map((f) => {
    const fix = f.fix && f.level !== "ok" ? `  -> ${f.fix}` : "";
    // Multi-line messages (several problems) stay one finding per line.
    return `${paint(color, COLOUR[f.level], LABEL[f.level])} ${f.check}: ${f.message.replace(/\n/g, " | ")}${fix}`;
  });
  const errors = findings.filter((f) => f.level === "error").length;
  const warnings = findings.filter((f) => f.level === "warn").length;
  const errorCount = paint(color && errors > 0, "red", `${errors} error${errors === 1 ? "" : "s"}`);
  const warningCount = paint(color && warnings > 0, "yellow", `${warnings} warning${warnings === 1 ? "" : "s"}`);
  lines.push(errors ? `doctor: ${errorCount}, ${warningCount}` : `doctor: ${paint(color, "green", "healthy")}${warnings ? ` (${warningCount})` : ""}`);
  return lines.join("\n") + "\n";
}
