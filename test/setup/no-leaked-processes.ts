/**
 * vitest setupFiles: a test that leaves a process it started running (a CLI, a worker's child, a
 * redis-server) fails, naming the leaked command line; the leftover is then killed so it cannot
 * disturb the next file. Checked after each file, once its afterAll hooks have run (why per file:
 * see the hook below).
 *
 * "Started by this test process": a descendant of this vitest worker, or a process that carries
 * this worker's marker in its environment (children inherit it, so a daemonized redis-server or a
 * process re-parented to init when its parent died is still recognised). Linux /proc only;
 * elsewhere the guard does nothing.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll } from "vitest";
import { descendantsOf, HAS_PROC, processTable } from "../helpers/processes.js";

const MARKER = "HOOKS_SCHEDULER_TEST_OWNER";
/** A process being stopped gets this long to be gone (SIGTERM handlers, a loaded machine). */
const GRACE_MS = 10_000;

const owner = String(process.pid);
process.env[MARKER] = owner;
const markerBytes = Buffer.from(`${MARKER}=${owner}\0`);

interface Proc {
  /** pid + start time: a pid the kernel reuses is another process. */
  key: string;
  pid: number;
  command: string;
}

function carriesMarker(pid: number): boolean {
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
  const table = processTable();
  table.delete(process.pid);
  const mine = descendantsOf([process.pid], table);
  for (const pid of table.keys()) if (!mine.has(pid) && carriesMarker(pid)) mine.add(pid);
  const out = new Map<string, Proc>();
  for (const pid of mine) {
    const s = table.get(pid)!;
    if (s.state === "Z" || s.state === "X") continue; // exited, only not reaped yet
    const key = `${pid}:${s.start}`;
    out.set(key, { key, pid, command: commandOf(pid) });
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

if (HAS_PROC) {
  let beforeFile = new Map<string, Proc>();
  beforeAll(() => {
    beforeFile = ours();
  });
  // Registered first, so vitest runs this after the file's own afterAll hooks. Checked per file,
  // not per test: many files start a server or daemon in one test and stop it in afterAll (a
  // Redis to freeze, a daemon several tests read), and the tests of a describe.concurrent run
  // side by side, so another test's live process is not a leak of this one.
  afterAll(async () => {
    fail(await leakedSince(beforeFile), "this file");
  });
}
