/**
 * Which tasks a tick looks at. A tick used to read every task's slot record and pause record
 * and run planTick over all of them; with 100 000 cron entries that read alone was most of a
 * tick's CPU (figures: bench/README.md, scale). Now a tick looks at:
 *
 * - the tasks without a quiet mark (never planned, fired or skipped at their last look, or
 *   whose slots could not be computed), every tick;
 * - the quiet tasks whose next slot has come (a min-heap by next slot);
 * - every task at a full read: the first tick, a new task list (reload), a new lease (the
 *   leadership changed hands, so another daemon may have moved slot records), the clock gone
 *   back, and at least every `fullReadMs` (30 s by default).
 *
 * Why the full read stays: a slot record can change behind our back (another daemon, an
 * operator rewinding or deleting it); quiet marks then differ from the record and planTick
 * walks the task again. Between full reads such a change is seen when the task's next slot
 * comes, at the latest `fullReadMs` later. Only leaders write slot records, and only forward, so
 * the change that waits is one an operator made by hand.
 */
import type { ScheduledTask } from "../hooks/types.js";
import type { QuietMark, TickPlan } from "./plan-tick.js";

export const DEFAULT_FULL_READ_MS = 30_000;

export interface TickSelection {
  tasks: readonly ScheduledTask[];
  /** Every task of the list: quiet marks are checked against every record. */
  full: boolean;
}

export interface QuietIndex {
  /** The task's mark, for planTick's `quiet`. */
  mark(task: ScheduledTask): QuietMark | undefined;
  /** The tasks this tick reads and plans. `fence`: the lease number the tick writes with. */
  select(tasks: readonly ScheduledTask[], now: number, fence: number | undefined): TickSelection;
  /** Take one plan's marks in (a tick plans its selection in slices: one call per slice). */
  take(selection: TickSelection, plan: Pick<TickPlan, "quiet" | "errors">): void;
  /** Once every slice is taken: the earliest next slot of a quiet task not planned this tick. */
  settle(selection: TickSelection): number | undefined;
}

/** A binary min-heap of tasks by next slot, on parallel arrays (no object per entry). */
class NextHeap {
  private keys: number[] = [];
  private tasks: ScheduledTask[] = [];

  get size(): number {
    return this.keys.length;
  }

  topKey(): number | undefined {
    return this.keys[0];
  }

  topTask(): ScheduledTask | undefined {
    return this.tasks[0];
  }

  clear(): void {
    this.keys = [];
    this.tasks = [];
  }

  push(key: number, task: ScheduledTask): void {
    this.keys.push(key);
    this.tasks.push(task);
    this.up(this.keys.length - 1);
  }

  /** Every entry at once, then sift down from the middle: O(n), not n pushes. */
  fill(entries: Array<[number, ScheduledTask]>): void {
    this.keys = entries.map((e) => e[0]);
    this.tasks = entries.map((e) => e[1]);
    for (let i = (this.keys.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  pop(): [number, ScheduledTask] {
    const top: [number, ScheduledTask] = [this.keys[0]!, this.tasks[0]!];
    const lastKey = this.keys.pop()!;
    const lastTask = this.tasks.pop()!;
    if (this.keys.length) {
      this.keys[0] = lastKey;
      this.tasks[0] = lastTask;
      this.down(0);
    }
    return top;
  }

  private swap(a: number, b: number): void {
    [this.keys[a], this.keys[b]] = [this.keys[b]!, this.keys[a]!];
    [this.tasks[a], this.tasks[b]] = [this.tasks[b]!, this.tasks[a]!];
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent]! <= this.keys[i]!) return;
      this.swap(parent, i);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.keys.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < n && this.keys[l]! < this.keys[least]!) least = l;
      if (r < n && this.keys[r]! < this.keys[least]!) least = r;
      if (least === i) return;
      this.swap(least, i);
      i = least;
    }
  }
}

export function createQuietIndex(fullReadMs = DEFAULT_FULL_READ_MS): QuietIndex {
  const marks = new WeakMap<ScheduledTask, QuietMark>();
  /** Tasks of the current list without a mark: looked at every tick. */
  let unmarked = new Set<ScheduledTask>();
  /** Marked tasks by next slot; an entry whose key is not its task's mark's next is stale. */
  const heap = new NextHeap();
  let list: readonly ScheduledTask[] | undefined;
  let listFence: number | undefined;
  let fullAt = -Infinity;

  const current = (key: number, task: ScheduledTask) => marks.get(task)?.next === key;
  /** The earliest live entry's key, dropping stale ones on top. */
  const earliest = (): number | undefined => {
    while (heap.size && !current(heap.topKey()!, heap.topTask()!)) heap.pop();
    return heap.topKey();
  };

  return {
    mark: (task) => marks.get(task),

    select(tasks, now, fence) {
      if (tasks !== list || fence !== listFence || now < fullAt || now - fullAt >= fullReadMs) {
        list = tasks;
        listFence = fence;
        fullAt = now;
        return { tasks, full: true };
      }
      const picked = new Set(unmarked);
      while (heap.size && heap.topKey()! <= now) {
        const [key, task] = heap.pop();
        if (current(key, task)) picked.add(task);
      }
      return { tasks: [...picked], full: false };
    },

    take(selection, plan) {
      for (const { task, mark } of plan.quiet) {
        if (mark) {
          marks.set(task, mark);
          unmarked.delete(task);
          if (!selection.full && mark.next !== undefined) heap.push(mark.next, task);
        } else {
          marks.delete(task);
          unmarked.add(task);
        }
      }
      for (const { task } of plan.errors) {
        marks.delete(task);
        unmarked.add(task);
      }
    },

    settle(selection) {
      if (selection.full) {
        // Rebuilt from the marks: tasks gone from the list leave the heap and the unmarked set.
        unmarked = new Set();
        const entries: Array<[number, ScheduledTask]> = [];
        for (const task of selection.tasks) {
          const m = marks.get(task);
          if (!m) unmarked.add(task);
          else if (m.next !== undefined) entries.push([m.next, task]);
        }
        heap.fill(entries);
      }
      return earliest();
    },
  };
}
