/**
 * Evaluating an app module (the hooks file, a task module) can fail in ways an in-process
 * import() cannot report: `while (true)` at import never returns, a top-level await on a long
 * timer waits as long as it likes, a top-level await that never settles lets the process exit
 * 0 with no word (a false healthy `doctor`), and `process.exit(42)` at import ends the command
 * silently. So the module is first evaluated in a worker thread that can be timed out and whose
 * exit is its own, and only a module whose evaluation finished there is imported here.
 *
 * The price: the module's top-level code runs twice (probe, then for real), once in a thread
 * that is thrown away. Its output in the probe is dropped. An error the probe sees is not
 * reported from here: the real import raises it again with the usual message.
 *
 *   SCHEDULER_LOAD_TIMEOUT  seconds a module's evaluation may take, default 10
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { secondsFrom } from "../config/env-duration.js";
import { formatSeconds } from "../base/duration.js";
import { packageEntry } from "./ts-loader.js";

export const DEFAULT_LOAD_TIMEOUT_MS = 10_000;

/**
 * How long the probe thread itself may take to start (Node and the loader, before any module):
 * not the module's time, so not its limit. A thread that cannot start in this long proves
 * nothing, and the module is imported without a probe.
 */
const THREAD_START_MS = 30_000;

/** The hint that goes with a probe's line. */
export const PROBE_HINT = "its top-level code must finish on its own: no endless loop, wait or process.exit() at import (SCHEDULER_LOAD_TIMEOUT, seconds, sets the limit; default 10)";

/** SCHEDULER_LOAD_TIMEOUT in ms (a bad value is one ConfigError naming the variable). */
export function loadTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return secondsFrom(env, "SCHEDULER_LOAD_TIMEOUT", DEFAULT_LOAD_TIMEOUT_MS);
}

// Runs as CommonJS in the thread, so it needs no build step and works from src/ and dist/ alike.
// The loader options are those of ts-loader.ts (namespaces kept as they are, the package
// aliased). Files are evaluated one after the other; each finished one is reported.
const PROBE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createJiti } = require(workerData.jiti);
const jiti = createJiti(workerData.base, { interopDefault: false, moduleCache: true, alias: workerData.alias });
parentPort.postMessage({ ready: true });
(async () => {
  for (let i = 0; i < workerData.files.length; i++) {
    try { await jiti.import(workerData.files[i]); } catch {}
    parentPort.postMessage({ finished: i });
  }
})();
`;

/**
 * Evaluate `file` in a worker thread. Resolves undefined when its evaluation finished (or threw:
 * the real import reports that); else one line saying what went wrong, naming the file as
 * `name`: "loading hooks.ts did not finish in 10 s", "hooks.ts exited with code 42 while
 * loading", "loading hooks.ts never finished: ...".
 */
export async function probeLoad(file: string, timeoutMs: number, name: string = file): Promise<string | undefined> {
  return (await probeLoadAll([file], timeoutMs, () => name)).get(file);
}

/**
 * probeLoad for several files in one thread (the package and shared imports load once), each
 * with its own `timeoutMs`. A file that fails ends its thread; the files after it go on in a
 * new one. The map holds every file: undefined for the ones that finished.
 */
export async function probeLoadAll(files: string[], timeoutMs: number, nameOf: (file: string) => string = (f) => f): Promise<Map<string, string | undefined>> {
  const results = new Map<string, string | undefined>();
  let rest = [...new Set(files)];
  while (rest.length > 0) {
    const { finished, problem } = await probeThread(rest, timeoutMs, nameOf);
    for (const f of rest.slice(0, finished)) results.set(f, undefined);
    if (problem === undefined) break;
    results.set(rest[finished]!, problem);
    rest = rest.slice(finished + 1);
  }
  return results;
}

/** One thread over `files`: how many finished, and what stopped the next one (if one did). */
function probeThread(files: string[], timeoutMs: number, nameOf: (file: string) => string): Promise<{ finished: number; problem?: string }> {
  const entry = packageEntry();
  const worker = new Worker(PROBE, {
    eval: true,
    workerData: { files, jiti: createRequire(import.meta.url).resolve("jiti"), base: import.meta.url, alias: entry ? { "hooks-scheduler": entry } : {} },
    stdout: true,
    stderr: true,
    // The modules see the same environment they will see for real.
    env: process.env,
  });
  // Dropped: the real import prints whatever a module prints, once.
  worker.stdout.resume();
  worker.stderr.resume();
  return new Promise((resolve) => {
    let finished = 0;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (problem?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // A module that opened handles at import (a client, an interval) would keep the thread up.
      void worker.terminate();
      resolve(problem === undefined ? { finished } : { finished, problem });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => settle(`loading ${nameOf(files[finished]!)} did not finish in ${formatSeconds(timeoutMs)}`), timeoutMs);
    };
    timer = setTimeout(() => {
      finished = files.length;
      settle();
    }, THREAD_START_MS);
    worker.on("message", (msg: { finished?: number; ready?: boolean }) => {
      if (msg?.ready) return arm();
      if (typeof msg?.finished !== "number") return;
      finished = msg.finished + 1;
      if (finished >= files.length) settle();
      else arm();
    });
    // The probe's own failure (not the module's: that is caught in the thread) proves nothing.
    worker.once("error", () => {
      finished = files.length;
      settle();
    });
    worker.once("exit", (code) => {
      if (finished >= files.length) return settle();
      const name = nameOf(files[finished]!);
      if (code !== 0) settle(`${name} exited with code ${code} while loading`);
      else settle(`loading ${name} never finished: a top-level await waits on a promise that never settles (or process.exit(0) at import)`);
    });
  });
}
