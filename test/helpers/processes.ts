/**
 * The process table, read from /proc (Linux): who is whose child, its environment and command
 * line. Shared by the leak guard (test/setup/no-leaked-processes.ts, test/helpers/leak-check.ts)
 * and by the spawn helper's kill of a whole process tree.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";

export const HAS_PROC = existsSync("/proc/self/stat");

export interface ProcStat {
  ppid: number;
  /** R, S, D, Z (zombie: exited, not reaped yet), ... */
  state: string;
  /** Start time in clock ticks since boot: with the pid, names one process (pids are reused). */
  start: string;
}

/** /proc/<pid>/stat's parent, state and start time (the name may hold spaces and parens). */
export function statOf(pid: number | string): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, ppid: Number(fields[1]), start: fields[19]! };
  } catch {
    return undefined; // gone already
  }
}

/** Every live process: pid -> stat. */
export function processTable(): Map<number, ProcStat> {
  const table = new Map<number, ProcStat>();
  if (!HAS_PROC) return table;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = statOf(name);
    if (s) table.set(Number(name), s);
  }
  return table;
}

/** The pids below `roots` in `table` (children, their children, ...), roots excluded. */
export function descendantsOf(roots: number[], table = processTable()): Set<number> {
  const children = new Map<number, number[]>();
  for (const [pid, s] of table) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  const found = new Set<number>();
  const stack = roots.flatMap((r) => children.get(r) ?? []);
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (found.has(pid)) continue;
    found.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Whether /proc/<pid>/environ holds exactly `name=value` (false for another user's or a gone process). */
export function environHas(pid: number, name: string, value: string): boolean {
  const entry = Buffer.from(`${name}=${value}\0`);
  try {
    const env = readFileSync(`/proc/${pid}/environ`);
    return env.subarray(0, entry.length).equals(entry) || env.includes(Buffer.concat([Buffer.from("\0"), entry]));
  } catch {
    return false;
  }
}

/** The command line of `pid`, cut at 300 characters (a message names it, it need not be whole). */
export function commandOf(pid: number): string {
  try {
    const line = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
    return line.length > 300 ? `${line.slice(0, 300)}...` : line;
  } catch {
    return "(gone)";
  }
}
