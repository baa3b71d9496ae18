/**
 * The one way tests start processes: the real built CLI (bin/scheduler.js) or another node
 * script, run to completion (runCli) or kept live and watched (startCli/startNode: output, JSON
 * log lines, bounded waits, a bounded stop). Every wait is bounded; a process a test leaves
 * running fails it (test/setup/no-leaked-processes.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect } from "vitest";
import { descendantsOf } from "./processes.js";
import { waitFor } from "./redis.js";

export const BIN = fileURLToPath(new URL("../../bin/scheduler.js", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  input?: string;
}

/** Run `scheduler <args>` to completion (killed after timeoutMs, default 20 s). */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, options);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    else child.stdin!.end();
  });
}

/**
 * A daemon or `serve` a test starts without --http binds any free port, not 127.0.0.1:7070: the
 * port of the developer's own `npm start`, which a test daemon must not take (nor fight another
 * test daemon for). A test that wants an address passes --http or its own SCHEDULER_HTTP.
 */
const OFF_THE_DEFAULT_PORT = { SCHEDULER_HTTP: "127.0.0.1:0" };

/** Start `scheduler <args>` and return the live process (for daemons and -f). */
export function spawnCli(args: string[], options: CliOptions = {}): ChildProcess {
  return spawnNode(BIN, args, options);
}

/** Start `node <script> <args>` (a fixture script) from the repo root, stdio piped. */
export function spawnNode(script: string, args: string[] = [], options: CliOptions & { detached?: boolean } = {}): ChildProcess {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...OFF_THE_DEFAULT_PORT, FORCE_COLOR: "0", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
    // detached: a process group of its own, so a test can signal it the way Ctrl-C does.
    detached: options.detached ?? false,
  });
  if (SPAWN_LOG) logSpawn(child, script, args);
  return child;
}

/**
 * TEST_SPAWN_LOG=<file>: one line per process a test starts (test file, script, first argument,
 * lifetime in ms), to see which files pay for process start-ups (bench/README.md, "The suite").
 */
const SPAWN_LOG = process.env.TEST_SPAWN_LOG;

function logSpawn(child: ChildProcess, script: string, args: string[]): void {
  const started = Date.now();
  const file = relative(REPO_ROOT, expect.getState().testPath ?? "?");
  const what = script === BIN ? `cli ${args.find((a) => !a.startsWith("-")) ?? args[0] ?? ""}` : relative(REPO_ROOT, script);
  child.once("exit", () => appendFileSync(SPAWN_LOG!, `${file}\t${what}\t${Date.now() - started}\n`));
}

/**
 * Start `scheduler <args>` on a pseudo-terminal (util-linux `script`): its stdout is a TTY and
 * ^C written to the returned process's stdin is SIGINT. `exec` keeps the shell `script` starts
 * out of the way: left between the terminal and node, it would die of ^C itself and `script`
 * would report the shell's 130 instead of node's own exit code.
 */
export function spawnCliOnTty(args: string[], options: CliOptions = {}): ChildProcess {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  return spawn("script", ["-qfec", `exec ${quoted}`, "/dev/null"], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...OFF_THE_DEFAULT_PORT, FORCE_COLOR: "0", SHELL: "/bin/sh", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** What a live CLI process has printed so far, and its exit code once it closes. */
export interface Captured {
  stdout(): string;
  stderr(): string;
  closed: Promise<number | null>;
}

export function capture(child: ChildProcess): Captured {
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (err += d));
  const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { stdout: () => out, stderr: () => err, closed };
}

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** A live process, watched: what it printed, its JSON log lines, bounded waits and stops. */
export interface Watched {
  proc: ChildProcess;
  /** stdout and stderr as they came, interleaved. */
  output(): string;
  /** Parsed JSON lines of stdout and stderr so far (non-JSON lines kept as { raw }). */
  lines: Array<Record<string, unknown>>;
  exited: Promise<Exit>;
  alive(): boolean;
  /** Wait for `text` in the output; fails with the output's tail after `timeoutMs`. */
  waitForOutput(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Wait for a JSON log line whose msg contains `text`. */
  waitForLog(text: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM, then SIGKILL past `timeoutMs` (default 15 s); resolves with the exit. */
  stop(timeoutMs?: number): Promise<Exit>;
  /** kill -9 and wait for the exit. */
  kill9(): Promise<void>;
}

export function watch(proc: ChildProcess): Watched {
  const lines: Array<Record<string, unknown>> = [];
  let text = "";
  const partial = { stdout: "", stderr: "" };
  const onData = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
    const s = chunk.toString();
    text += s;
    partial[stream] += s;
    const parts = partial[stream].split("\n");
    partial[stream] = parts.pop() ?? "";
    for (const line of parts) {
      if (!line.trim()) continue;
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ raw: line });
      }
    }
  };
  proc.stdout?.on("data", onData("stdout"));
  proc.stderr?.on("data", onData("stderr"));
  const exited = new Promise<Exit>((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  return {
    proc,
    lines,
    output: () => text,
    exited,
    alive,
    waitForOutput: async (needle, timeoutMs = 20_000) => {
      await waitFor(() => (typeof needle === "string" ? text.includes(needle) : needle.test(text)), timeoutMs).catch(() => {
        throw new Error(`no ${String(needle)} in the output within ${timeoutMs} ms:\n${text.slice(-3000)}`);
      });
    },
    waitForLog: async (needle, timeoutMs = 20_000) =>
      (await waitFor(() => lines.find((l) => typeof l.msg === "string" && l.msg.includes(needle)), timeoutMs))!,
    stop: async (timeoutMs = 15_000) => {
      if (!alive()) return exited;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    kill9: async () => {
      if (!alive()) return;
      // Its children too: a child notices its supervisor is gone only after a moment.
      const below = proc.pid === undefined ? [] : [...descendantsOf([proc.pid])];
      proc.kill("SIGKILL");
      for (const pid of below) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone already
        }
      }
      await exited;
    },
  };
}

/**
 * The preamble of a process test: a list to push every started process to; after each test
 * each one still running is killed (-9) and its exit awaited, so
 * a test that fails half-way leaves nothing behind. Call it at a file's (or describe's) top.
 */
export function stoppedAfterEach(): Watched[] {
  const started: Watched[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((w) => w.kill9()));
  });
  return started;
}

/** `scheduler <args>`, live and watched. */
export function startCli(args: string[], options: CliOptions & { detached?: boolean } = {}): Watched {
  return watch(spawnNode(BIN, args, options));
}

/**
 * Wait for the process to exit; kills it (SIGKILL) and fails when it has printed nothing for
 * `quietMs`. The bound follows the work: a process that is still starting children, killing
 * timed-out jobs or running them says so in its log, so a slow (shared, loaded) machine only
 * stretches the wait, while a process that is stuck is caught `quietMs` after its last word.
 */
export async function exitOf(w: Watched, quietMs = 15_000): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  let seen = w.output().length;
  let lastWord = Date.now();
  const stuck = new Promise<never>((_r, reject) => {
    const check = () => {
      const now = Date.now();
      if (w.output().length !== seen) {
        seen = w.output().length;
        lastWord = now;
      }
      if (now - lastWord > quietMs) {
        w.proc.kill("SIGKILL");
        reject(new Error(`process did not exit and printed nothing for ${quietMs} ms; output:\n${w.output().slice(-3000)}`));
        return;
      }
      timer = setTimeout(check, 100);
    };
    timer = setTimeout(check, 100);
  });
  try {
    return await Promise.race([w.exited, stuck]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILL a child that is still running and wait for its exit (a test's own clean-up). */
export async function killUnlessExited(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await gone;
}
