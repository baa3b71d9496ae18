/**
 * Reading an every-second task's own execution log (the "<rec>:slots" hash app/tasks.ts tick
 * writes: slot ms -> runs), to count what a fault cost: slots never run, slots run twice.
 */
import type { Redis } from "ioredis";

export interface SlotLog {
  /** Slot ms -> how many times the task ran for it. */
  runs: Map<number, number>;
  first: number | undefined;
  last: number | undefined;
}

export async function readSlotLog(redis: Redis, rec: string): Promise<SlotLog> {
  const raw = await redis.hgetall(`${rec}:slots`);
  const runs = new Map(Object.entries(raw).map(([slot, n]) => [Number(slot), Number(n)]));
  const slots = [...runs.keys()].sort((a, b) => a - b);
  return { runs, first: slots[0], last: slots[slots.length - 1] };
}

/** Every-second slots in [from, to] the task never ran. */
export function missingSlots(log: SlotLog, from: number, to: number): number[] {
  const out: number[] = [];
  for (let s = Math.ceil(from / 1000) * 1000; s <= to; s += 1000) if (!log.runs.has(s)) out.push(s);
  return out;
}

/** Slots the task ran more than once. */
export function doubledSlots(log: SlotLog): number[] {
  return [...log.runs].filter(([, n]) => n > 1).map(([s]) => s);
}

/** Wait (bounded) until the log holds a slot at or after `slot`. */
export async function waitForSlot(redis: Redis, rec: string, slot: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = await readSlotLog(redis, rec);
    if (log.last !== undefined && log.last >= slot) return Date.now();
    if (Date.now() > deadline) throw new Error(`no run of slot ${new Date(slot).toISOString()} or later in ${rec}:slots within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Sleep until `ms` past the next whole second (faults land between runs, not inside one). */
export async function atMidSecond(ms = 500): Promise<void> {
  const now = Date.now();
  let at = Math.ceil(now / 1000) * 1000 + ms;
  if (at - now > 1000) at -= 1000;
  await new Promise((r) => setTimeout(r, Math.max(0, at - now)));
}
