/**
 * In a worker child: what the daemon's line for one ended job needs (job-lines.ts prints it),
 * sent with the next pulse (pulse-journal.ts), never as an IPC write of its own.
 *
 * Made only for the outcomes the daemon prints (all, or failures only), so a quiet daemon pays
 * nothing per finished job.
 */
import { fileURLToPath } from "node:url";
import { JobTimeoutError, describeError } from "../../base/errors.js";
import type { Job } from "../../queue/types.js";
import type { JobEndNote, JobLinesMode, JobOutcome } from "../protocol.js";

/** Frames of this package (dist/ or src/) are how the job ran, not where it failed. */
const OWN_CODE = [fileURLToPath(new URL("../../../dist/", import.meta.url)), fileURLToPath(new URL("../../../src/", import.meta.url))];
const MAX_FRAMES = 5;

/** The errors failed jobs ended with, until their note is made (failures only: no cost per finished job). */
const failedWith = new WeakMap<Job, unknown>();

export function rememberFailure(job: Job, error: unknown): void {
  failedWith.set(job, error);
}

export function wantsNote(mode: JobLinesMode | undefined, outcome: JobOutcome): boolean {
  if (!mode || mode === "none") return false;
  return mode === "all" || outcome !== "finished";
}

/** The app's frames of `stack`, paths shown relative to the app root. */
export function userFrames(stack: string | undefined, appRoot: string): string[] {
  if (!stack) return [];
  const root = appRoot.endsWith("/") ? appRoot : `${appRoot}/`;
  const frames: string[] = [];
  for (const raw of stack.split("\n")) {
    const line = raw.trim();
    if (!line.startsWith("at ")) continue;
    if (line.includes("node:") || line.includes("/node_modules/") || OWN_CODE.some((p) => line.includes(p))) continue;
    frames.push(line.replace(/file:\/\//g, "").split(root).join(""));
    if (frames.length === MAX_FRAMES) break;
  }
  return frames;
}

export function jobEndNote(job: Job, outcome: JobOutcome, startedAt: number, now: number, appRoot: string): JobEndNote {
  const note: JobEndNote = { id: job.id, queue: job.queue, method: job.method, attempt: job.attempt, at: now, ms: now - startedAt, outcome };
  const error = failedWith.get(job);
  if (error !== undefined) {
    failedWith.delete(job);
    note.error = describeError(error).split("\n")[0]!;
    if (error instanceof JobTimeoutError) note.outcome = outcome === "retry-scheduled" ? "timed-out-retry" : "timed-out";
    else if (error instanceof Error) {
      const frames = userFrames(error.stack, appRoot);
      if (frames.length) note.frames = frames;
      // describeError drops the class name; "TypeError: x is undefined" says more.
      if (error.name && error.name !== "Error" && !note.error.startsWith(error.name)) note.error = `${error.name}: ${note.error}`;
    }
  }
  return note;
}
