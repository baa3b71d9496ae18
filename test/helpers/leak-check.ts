/**
 * The leak guard's checks (wired as hooks by test/setup/no-leaked-processes.ts): which live
 * processes a test or a test file started, waiting a grace for those being stopped, and the
 * failure that names and kills what is left.
 */
import type { ChildProcess } from "node:child_process";
import { commandOf, descendantsOf, environHas, processTable, type ProcStat } from "./processes.js";
import { OWNER_VAR } from "./test-owner.js";

/** Set in the test process's own env: its descendants and re-parented children inherit it. */
export const MARKER = "HOOKS_SCHEDULER_TEST_OWNER";

/**
 * A process being stopped gets this long to be gone (SIGTERM handlers, a loaded machine).
 * TEST_LEAK_GRACE_MS shortens it for the guard's own test, whose fixtures leak on purpose.
 */
export const GRACE_MS = Number(process.env.TEST_LEAK_GRACE_MS ?? 10_000);

export interface Proc {
  /** pid + start time: a pid the kernel reuses is another process. */
  key: string;
  pid: number;
  command: string;
}

function live(pids: Iterable<number>, table: Map<number, ProcStat>): Map<string, Proc> {
  const out = new Map<string, Proc>();
  for (const pid of pids) {
    const s = table.get(pid);
    if (!s || s.state === "Z" || s.state === "X") continue; // exited, only not reaped yet
    const key = `${pid}:${s.start}`;
    out.set(key, { key, pid, command: commandOf(pid) });
  }
  return out;
}

/**
 * The live processes carrying `owner` (test/helpers/test-owner.ts) or started by it (`children`,
 * those this process has not seen exit), and everything below them.
 */
export function ownedBy(owner: string, children: ChildProcess[] = []): Map<string, Proc> {
  const table = processTable();
  table.delete(process.pid);
  const roots = [...table.keys()].filter((pid) => environHas(pid, OWNER_VAR, owner));
  for (const c of children) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) roots.push(c.pid);
  return live(new Set([...roots, ...descendantsOf(roots, table)]), table);
}

/**
 * The live processes this test process started, directly or not, whoever owns them: its
 * descendants, and those carrying its marker (a daemonized redis-server, a process re-parented
 * to init when its parent died).
 */
export function ours(): Map<string, Proc> {
  const table = processTable();
  table.delete(process.pid);
  const mine = descendantsOf([process.pid], table);
  const me = String(process.pid);
  for (const pid of table.keys()) if (!mine.has(pid) && environHas(pid, MARKER, me)) mine.add(pid);
  return live(mine, table);
}

/** What `find` still returns (less `before`) after the grace, polled so a clean end costs one scan. */
export async function leftRunning(find: () => Map<string, Proc>, before = new Map<string, Proc>(), graceMs = GRACE_MS): Promise<Proc[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const left = [...find().values()].filter((p) => !before.has(p.key));
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Kill what was left and throw, naming each process; nothing left: nothing happens. */
export function failOnLeft(left: Proc[], where: string, graceMs = GRACE_MS): void {
  if (left.length === 0) return;
  for (const p of left) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
  const lines = left.map((p) => `  pid ${p.pid}: ${p.command}`);
  throw new Error(`${where} left ${left.length} process(es) it started running ${graceMs / 1000} s after it ended (killed now):\n${lines.join("\n")}`);
}
