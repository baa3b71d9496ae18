/** Jobs as text: the `jobs` table and the `jobs show` record. */
import type { JobDetail, JobLink } from "../../ops/job-detail.js";
import type { Job, SerializedError, StatusRecord } from "../../queue/types.js";
import { renderPairs, renderTable, truncate } from "./table.js";
import { formatDuration, formatWhen } from "./time.js";
import { redactActive, redactMessage } from "../../security/redact-config.js";

/** The job with secrets masked (hooks `redact`): kwargs, result, status record, error texts. */
export function redactJob(job: Job): Job {
  const out: Job = { ...job, kwargs: redactActive(job.kwargs) };
  if (job.result !== undefined) out.result = redactActive(job.result);
  if (job.statusRecord !== undefined) out.statusRecord = redactActive(job.statusRecord);
  if (job.error) out.error = { ...job.error, message: redactMessage(job.error.message), ...(job.error.stack ? { stack: redactMessage(job.error.stack) } : {}) };
  return out;
}

export function shortError(e: SerializedError | undefined): string {
  return e ? `${e.name}: ${e.message}` : "";
}

export function renderJobTable(jobs: Job[], zone?: string): string {
  if (jobs.length === 0) return "no jobs match";
  return renderTable(jobs, [
    { header: "ID", value: (j) => j.id },
    { header: "STATUS", value: (j) => j.status },
    { header: "QUEUE", value: (j) => j.queue },
    { header: "METHOD", value: (j) => j.method, max: 48 },
    { header: "ATTEMPT", value: (j) => String(j.attempt), right: true },
    { header: "ENQUEUED", value: (j) => formatWhen(j.enqueuedAt ?? j.scheduledAt ?? j.createdAt, zone) },
    { header: "STARTED", value: (j) => formatWhen(j.startedAt, zone) },
    { header: "ENDED", value: (j) => formatWhen(j.endedAt, zone) },
    { header: "ERROR", value: (j) => shortError(j.error) || "-", max: 60 },
  ]);
}

function link(l: JobLink): string {
  return `${l.id} (${l.status ?? "gone"}${l.method ? `, ${l.method}` : ""})`;
}

/** A setStatus() record: "In Progress 40/100 (at 2026-03-01 11:00:00)" plus any other fields. */
function describeStatusRecord(r: StatusRecord, zone?: string): string {
  const { status, processed, total, updatedAt, ...rest } = r;
  const parts: string[] = [];
  if (status !== undefined) parts.push(String(status));
  if (processed !== undefined || total !== undefined) parts.push(`${String(processed ?? "?")}/${String(total ?? "?")}`);
  if (Object.keys(rest).length) parts.push(JSON.stringify(rest));
  if (typeof updatedAt === "number") parts.push(`(at ${formatWhen(updatedAt, zone)})`);
  return parts.join(" ") || "-";
}

function indentBlock(text: string, by: string): string {
  return text.split("\n").map((l) => `${by}${l}`).join("\n");
}

function errorBlock(e: SerializedError, indent: string): string {
  const head = `${indent}${e.name}: ${e.message}${e.code ? ` [${e.code}]` : ""}`;
  // The stack's first line repeats name: message; show only the frames under it.
  const frames = e.stack?.split("\n").filter((l) => /^\s+at /.test(l)) ?? [];
  return frames.length ? `${head}\n${indentBlock(frames.map((f) => f.trim()).join("\n"), `${indent}  `)}` : head;
}

export function renderJobDetail(d: JobDetail, zone?: string): string {
  const j = redactJob(d.job);
  const ran = j.startedAt !== undefined && j.endedAt !== undefined && j.endedAt >= j.startedAt ? formatDuration(j.endedAt - j.startedAt) : "-";
  const waited = j.startedAt !== undefined && j.enqueuedAt !== undefined && j.startedAt >= j.enqueuedAt ? formatDuration(j.startedAt - j.enqueuedAt) : "-";
  const pairs: Array<[string, string]> = [
    ["id", j.id],
    ["status", j.status],
    ["queue", j.queue],
    ["method", j.method],
    ...(j.jobName ? [["job name", j.jobName] as [string, string]] : []),
    ...(j.task ? [["task", `${j.task}${j.scheduledFor ? ` (slot ${formatWhen(j.scheduledFor, zone)}${j.catchup ? ", catch-up" : ""})` : ""}`] as [string, string]] : []),
    ["attempt", `${j.attempt}${j.retry ? ` (retries: ${j.retries ?? 0} of ${j.retry.max}, ${j.retry.backoff} ${j.retry.delay}s)` : ""}`],
    ["timeout", `${j.timeout}s`],
    ["stalls", String(j.stalls)],
    ["worker", j.worker ?? "-"],
    ["created", formatWhen(j.createdAt, zone)],
    ["enqueued", formatWhen(j.enqueuedAt, zone)],
    ...(j.scheduledAt ? [["run at", formatWhen(j.scheduledAt, zone)] as [string, string]] : []),
    ["started", formatWhen(j.startedAt, zone)],
    ["ended", formatWhen(j.endedAt, zone)],
    ["waited", waited],
    ["ran", ran],
    ["progress", j.progress ? `${Math.round(j.progress.percent)}%${j.progress.title ? ` ${j.progress.title}` : ""}${j.progress.description ? `: ${j.progress.description}` : ""} (${formatWhen(j.progress.at, zone)})` : "-"],
    ["parent", d.parent ? link(d.parent) : "-"],
  ];
  if (j.cancelRequested !== undefined && j.status === "started") pairs.push(["cancel requested", `${formatWhen(j.cancelRequested, zone)} (its worker is stopping it)`]);
  if (j.cancelReason) pairs.push(["cancel reason", j.cancelReason]);
  if (j.statusRecord) pairs.push(["status record", describeStatusRecord(j.statusRecord, zone)]);
  if (d.children.length) {
    const more = j.childCount && j.childCount > d.children.length ? ` (newest ${d.children.length} of ${j.childCount})` : "";
    pairs.push(["children", `${d.children.map(link).join(", ")}${more}`]);
  }
  if (d.dependsOn.length) pairs.push(["depends on", d.dependsOn.map(link).join(", ")]);
  if (d.dependents.length) pairs.push(["dependents", d.dependents.map(link).join(", ")]);
  const out = [renderPairs(pairs), "", "kwargs:", indentBlock(JSON.stringify(j.kwargs, null, 2), "  ")];
  if (j.result !== undefined && j.result !== "") out.push("", "result:", indentBlock(truncate(JSON.stringify(j.result), 2000), "  "));
  if (j.error) out.push("", "error:", errorBlock(j.error, "  "));
  out.push("", `attempts (${d.attempts.length}):`);
  if (d.attempts.length === 0) out.push("  none yet");
  for (const a of d.attempts) {
    const took = a.endedAt !== undefined ? formatDuration(a.endedAt - a.startedAt) : "running";
    out.push(
      `  #${a.attempt}  ${a.outcome.padEnd(8)}  worker ${a.worker}  started ${formatWhen(a.startedAt, zone)}  took ${took}${a.reason ? `  (${a.reason})` : ""}`,
    );
    if (a.error) out.push(errorBlock(a.error, "      "));
  }
  if (d.errorLogs.length) {
    out.push("", `logged errors (${d.errorLogs.length}):`);
    for (const e of d.errorLogs) {
      out.push(`  ${formatWhen(e.at, zone)}  ${e.msg}`);
      const stack = typeof e.data?.stack === "string" ? e.data.stack : undefined;
      if (stack) out.push(indentBlock(truncate(stack, 2000), "      "));
    }
  }
  return `${out.join("\n")}\n`;
}
