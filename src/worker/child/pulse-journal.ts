/**
 * What a child tells its supervisor about its jobs, without an IPC write per job.
 *
 * An IPC write wakes the supervisor: a syscall and a context switch per message, which on a
 * busy 2-core machine cost more than the job itself (bench: a no-op job ran 25-40% faster
 * without its two notes). So the child keeps its running set here and sends it whole, with a
 * tally of outcomes, as one `pulse` note: every PULSE_MS while it changes, and every
 * IDLE_PULSE_MS regardless, which is also the supervisor's sign of life.
 *
 * A job that starts and ends between two pulses is only counted. A task that blocks the event
 * loop stops the pulses too: the supervisor notices the silence and reads the child's leases
 * from Redis, the source of truth (child-handle.ts), so its hard timeout still fires.
 */
import { IDLE_PULSE_MS, type JobEndNote, type JobOutcome, type PulseNote, type RunningJobNote } from "../protocol.js";
import { jobTally } from "../../telemetry/job-tally.js";


export class PulseJournal {
  private readonly running = new Map<string, RunningJobNote>();
  private finished = 0;
  private failed = 0;
  private dirty = false;
  /** Ended jobs the daemon prints a line for (job-end-note.ts), sent with the next pulse. */
  private ended: JobEndNote[] = [];
  /** Finished jobs the daemon prints a line for, as PulseNote.finishedLines (protocol.ts). */
  private finishedLines: Array<string | number> = [];
  private lastSentAt = -Infinity;

  jobStarted(job: RunningJobNote): void {
    this.running.set(job.id, job);
    this.dirty = true;
  }

  jobEnded(id: string, outcome: JobOutcome, note?: JobEndNote): void {
    this.running.delete(id);
    if (note) this.ended.push(note);
    if (outcome === "finished") this.finished += 1;
    else if (outcome === "failed" || outcome === "retry-scheduled") this.failed += 1;
    this.dirty = true;
  }

  /** A finished job's line, in the pulse's compact form (failures keep their note: jobEnded). */
  finishedLine(id: string, queue: string, method: string, attempt: number, ms: number): void {
    this.finishedLines.push(id, queue, method, attempt, ms);
  }

  /** The pulse to send now, if one is due (`force`: whenever anything changed, e.g. before exit). */
  nextPulse(now: number, force = false): PulseNote | undefined {
    const due = this.dirty || (!force && now - this.lastSentAt >= IDLE_PULSE_MS);
    if (!due) return undefined;
    const pulse: PulseNote = { type: "pulse", running: [...this.running.values()], finished: this.finished, failed: this.failed, rss: process.memoryUsage.rss() };
    // the counters and histograms of the jobs that ended since the last pulse (job-tally.ts)
    const tally = jobTally.drain();
    if (tally) pulse.tally = tally;
    if (this.ended.length > 0) {
      pulse.ended = this.ended;
      this.ended = [];
    }
    if (this.finishedLines.length > 0) {
      pulse.finishedLines = this.finishedLines;
      this.finishedLines = [];
    }
    this.finished = 0;
    this.failed = 0;
    this.dirty = false;
    this.lastSentAt = now;
    return pulse;
  }
}
