/**
 * The supervisor's places for child processes: per group, one slot per process, each holding the
 * child in it now or a restart waiting for its backoff; plus the children a reload replaced,
 * which finish their running jobs in slots of their own ("retiring") and are never restarted.
 *
 * It only keeps the table: forking children, and deciding what their exits mean, are the
 * supervisor's (supervisor.ts) and the exit handling's (exit-handling.ts).
 */
import type { ChildHandle } from "./child-handle.js";
import type { WorkerInfo, WorkerState } from "./worker-records.js";
import { RestartPolicy, type RestartPolicyOptions } from "./restart-policy.js";
import type { WorkerGroupSpec } from "../types.js";

/** One place in a group: the child in it now, or a restart waiting for its backoff. */
export interface Slot {
  group: GroupState;
  index: number;
  child: ChildHandle | undefined;
  info: WorkerInfo | undefined;
  restartTimer: NodeJS.Timeout | undefined;
  /** A child replaced by reload(): it finishes its running jobs, then exits; never restarted. */
  retiring?: boolean;
}

export interface GroupState {
  spec: WorkerGroupSpec;
  policy: RestartPolicy;
  slots: Slot[];
  gaveUp: boolean;
}

export class SlotPool {
  readonly groups: GroupState[];
  /** Children replaced by reload() that are finishing their jobs. */
  private readonly retiring = new Set<Slot>();

  constructor(specs: WorkerGroupSpec[], policy: RestartPolicyOptions) {
    this.groups = specs.map((spec) => {
      const group: GroupState = { spec, policy: new RestartPolicy(policy), slots: [], gaveUp: false };
      for (let i = 0; i < spec.processes; i++) group.slots.push({ group, index: i, child: undefined, info: undefined, restartTimer: undefined });
      return group;
    });
  }

  /** Children alive now, retiring ones included. */
  liveSlots(): Slot[] {
    return [...this.groups.flatMap((g) => g.slots), ...this.retiring].filter((s) => s.child?.alive);
  }

  /** Jobs the live children run now. */
  runningJobs(): number {
    return this.liveSlots().reduce((n, s) => n + s.child!.inFlight.size, 0);
  }

  /** Children a reload replaced that have not exited yet. */
  retiringSlots(): Slot[] {
    return [...this.retiring];
  }

  /** Move the child of `slot` to a retiring slot of its own, so `slot` can take its successor. */
  retire(slot: Slot): Slot {
    const old: Slot = { group: slot.group, index: slot.index, child: slot.child, info: slot.info, restartTimer: undefined, retiring: true };
    this.retiring.add(old);
    return old;
  }

  /** The slot `child` is in now: a retiring one if a reload replaced it, else `slot`. */
  slotOf(child: ChildHandle, slot: Slot): Slot {
    return [...this.retiring].find((r) => r.child === child) ?? slot;
  }

  /** The child of `slot` ended and its exit was dealt with: empty the slot. */
  vacate(slot: Slot, child: ChildHandle): void {
    if (slot.child === child) slot.child = undefined;
    this.retiring.delete(slot);
  }

  /** Some slot waits for a restart's backoff. */
  restartPending(): boolean {
    return this.groups.some((g) => g.slots.some((s) => s.restartTimer));
  }

  /** Drop the restarts waiting for their backoff (every group's, or one group's). */
  cancelRestarts(group?: GroupState): void {
    for (const g of group ? [group] : this.groups) {
      for (const slot of g.slots) {
        clearTimeout(slot.restartTimer);
        slot.restartTimer = undefined;
      }
    }
  }
}

/** What the worker record of `child` says it does now. */
export function workerState(child: ChildHandle, stopping: boolean): WorkerState {
  return {
    currentJobs: [...child.inFlight.keys()],
    done: child.done,
    failed: child.failed,
    state: stopping ? "stopping" : !child.ready ? "starting" : child.inFlight.size > 0 ? "busy" : "idle",
    // memory for the worker record (console, status): the child's from its pulses, ours read now
    ...(child.rss !== undefined ? { rss: child.rss } : {}),
    supervisorRss: process.memoryUsage.rss(),
  };
}
