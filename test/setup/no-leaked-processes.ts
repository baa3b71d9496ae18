/**
 * vitest setupFiles: a test that leaves a process it started running (a CLI, a worker's child, a
 * redis-server) fails, naming the leaked command line; the leftover is then killed so it cannot
 * disturb the next test. Checked after each test (the test's own afterEach hooks run first) and
 * after each file (for what beforeAll started and afterAll should have stopped).
 *
 * "Started by this test process": a descendant of this vitest worker, or a process that carries
 * this worker's marker in its environment (children inherit it, so a daemonized redis-server or a
 * process re-parented to init when its parent died is still recognised). Linux /proc only;
 * elsewhere the guard does nothing.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";

const MARKER = "HOOKS_SCHEDULER_TEST_OWNER";
/** A process being stopped gets this long to be gone (SIGTERM handlers, a loaded machine). */
const GRACE_MS = 5_000;

const enabled = existsSync("/proc/self/stat");
const owner = String(process.pid);
process.env[MARKER] = owner;
const markerBytes = Buffer.from(`${MARKER}=${owner}\0`);

interface Proc {
  /** pid + start time: a pid the kernel reuses is another process. */
  key: string;
  pid: number;
  command: string;
}

/** pid, parent pid, state and start time from /proc/<pid>/stat (the name may hold spaces and parens). */
function statOf(pid: string): { ppid: number; state: string; start: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, ppid: Number(fields[1]), start: fields[19]! };
  } catch {
    return undefined; // gone already
  }
}

function carriesMarker(pid: string): boolean {
  try {
    const env = readFileSync(`/proc/${pid}/environ`);
    return env.subarray(0, markerBytes.length).equals(markerBytes) || env.includes(Buffer.concat([Buffer.from("\0"), markerBytes]));
  } catch {
    return false; // another user's process, or gone
  }
}

function commandOf(pid: number): string {
  try {
    const line = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
    return line.length > 300 ? `${line.slice(0, 300)}...` : line;
  } catch {
    return "(gone)";
  }
}

/** The live (not zombie) processes this test process started, directly or not. */
function ours(): Map<string, Proc> {
  const stats = new Map<string, { ppid: number; state: string; start: string }>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || name === owner) continue;
    const s = statOf(name);
    if (s) stats.set(name, s);
  }
  const children = new Map<number, string[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  const mine = new Set<string>();
  const stack = [...(children.get(process.pid) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (mine.has(pid)) continue;
    mine.add(pid);
    stack.push(...(children.get(Number(pid)) ?? []));
  }
  for (const pid of stats.keys()) if (!mine.has(pid) && carriesMarker(pid)) mine.add(pid);
  const out = new Map<string, Proc>();
  for (const pid of mine) {
    const s = stats.get(pid)!;
    if (s.state === "Z" || s.state === "X") continue; // exited, only not reaped yet
    const key = `${pid}:${s.start}`;
    out.set(key, { key, pid: Number(pid), command: commandOf(Number(pid)) });
  }
  return out;
}

/** Processes of ours not in `before` still running after the grace; killed once reported. */
async function leakedSince(before: Map<string, Proc>): Promise<Proc[]> {
  const deadline = Date.now() + GRACE_MS;
  for (;;) {
    const leaked = [...ours().values()].filter((p) => !before.has(p.key));
    if (leaked.length === 0 || Date.now() >= deadline) return leaked;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function fail(leaked: Proc[], where: string): void {
  if (leaked.length === 0) return;
  for (const p of leaked) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
  const lines = leaked.map((p) => `  pid ${p.pid}: ${p.command}`);
  throw new Error(`${where} left ${leaked.length} process(es) it started running ${GRACE_MS / 1000} s after it ended (killed now):\n${lines.join("\n")}`);
}

if (enabled) {
  let beforeFile = new Map<string, Proc>();
  let beforeTest = new Map<string, Proc>();
  beforeAll(() => {
    beforeFile = ours();
  });
  beforeEach(() => {
    beforeTest = ours();
  });
  // Registered first, so vitest runs these after the file's own afterEach/afterAll hooks.
  afterEach(async () => fail(await leakedSince(beforeTest), "this test"));
  afterAll(async () => fail(await leakedSince(beforeFile), "this file (its beforeAll/afterAll)"));
}
