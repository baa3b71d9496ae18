/**
 * When a supervisor may reap. A lease that lapsed while this supervisor itself could not reach
 * Redis (Redis frozen by SIGSTOP or a long fork, a partition, a paused VM) says nothing about
 * its owner: the owner was most likely cut off too, and renews as soon as it gets through. So a
 * reaper that lost contact waits one full lease period of good contact before it reaps again;
 * by then every live owner has renewed (an owner heartbeats several times per lease), and what
 * is still expired belongs to a worker that is really gone.
 *
 * Contact is judged by this supervisor's own heartbeat round trips: one that fails, or takes
 * longer than `slowMs` (a heartbeat interval: a renewal was missed), counts as lost contact,
 * and so does one still waiting longer than that. Start-up counts as lost contact: a daemon
 * starting after an outage cannot tell how long the others were cut off.
 *
 * Pure: every method takes the time, so tests drive it with plain numbers.
 */
export interface ReapGateOptions {
  leaseMs: number;
  /** A round trip longer than this means contact was lost (the heartbeat interval). */
  slowMs: number;
}

export class ReapGate {
  /** Reaping is allowed from this instant on. */
  private openAt: number;
  /** Start of the round trip under way, if one is. */
  private pendingSince: number | undefined;
  /** Contact was lost since construction (not just the start-up wait). */
  private everLost = false;

  constructor(
    private readonly o: ReapGateOptions,
    now: number,
  ) {
    this.openAt = now + o.leaseMs;
  }

  /** A round trip to Redis starts. */
  begin(now: number): void {
    this.pendingSince = now;
  }

  /** The round trip begun at begin() ended, answered (`ok`) or not. */
  end(now: number, ok: boolean): void {
    const since = this.pendingSince ?? now;
    this.pendingSince = undefined;
    if (!ok || now - since > this.o.slowMs) this.lost(now);
  }

  /** Contact was lost until `now` (also: a reconnect the client reported). */
  lost(now: number): void {
    this.everLost = true;
    this.openAt = Math.max(this.openAt, now + this.o.leaseMs);
  }

  mayReap(now: number): boolean {
    if (this.pendingSince !== undefined && now - this.pendingSince > this.o.slowMs) {
      this.everLost = true;
      return false;
    }
    return now >= this.openAt;
  }

  /** Closed because contact was lost (rather than the start-up wait). */
  get cutOff(): boolean {
    return this.everLost;
  }

  /** When reaping is allowed again, for messages. */
  get opensAt(): number {
    return this.openAt;
  }
}
