// CPU per job line in one process, without a worker: JobLines.ended() over pulses of B finished
// jobs (a c=1 pulse brings ~300), each pulse parsed from its IPC text first as the supervisor
// reads it (the compact list of protocol.ts where the build has it, notes otherwise: the same
// file runs on an older build for an A/B), through the daemon's logger (createLogger, JSON), by
// two paths:
//   flat: the logger itself (src/log/flat-record.ts writes the record), as the daemon runs;
//   pino: a wrapper logger JobLines does not know, so each line goes through pino's own call.
// Outputs: "both" (a file descriptor written as stdout is, plus the rotated log file), "fd",
// "file", or "none" (the record built, nothing written). Run after `npm run build`:
//   node bench/job-line-cost.mjs          (MODES=flat-both,pino-both,... B=300 N=60000)
import { mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeLogger, createLogger } from "../dist/log/logger.js";
import { JobLines } from "../dist/worker/supervisor/job-lines.js";
import * as protocol from "../dist/worker/protocol.js";
import { loadAverage } from "./lib/common.mjs";

const N = Number(process.env.N ?? 60000);
const B = Number(process.env.B ?? 300);
const MODES = (process.env.MODES ?? "pino-both,flat-both,pino-none,flat-none").split(",");
const COMPACT = "FINISHED_LINE_WIDTH" in protocol;
const dir = mkdtempSync(join(tmpdir(), "job-line-cost-"));

async function run(mode, round) {
  const [path, out] = mode.split("-");
  const consoleOut = out === "both" || out === "fd" ? openSync(join(dir, `console-${mode}-${round}`), "w") : false;
  const file = out === "both" || out === "file" ? join(dir, `worker-${mode}-${round}.log`) : undefined;
  const log = createLogger({ name: "worker", level: "info", json: true, console: consoleOut, ...(file ? { file } : {}) });
  const target = path === "flat" ? log : { debug: (o, m) => log.debug(o, m), info: (o, m) => log.info(o, m), warn: (o, m) => log.warn(o, m), error: (o, m) => log.error(o, m) };
  const lines = new JobLines(target, "all");
  const notes = Array.from({ length: B }, (_, i) => ({ id: crypto.randomUUID(), queue: "bench", method: "bench_app.tasks.noop", attempt: 1, at: Date.now(), ms: i % 3, outcome: "finished" }));
  const pulse = COMPACT ? { type: "pulse", finishedLines: notes.flatMap((n) => [n.id, n.queue, n.method, n.attempt, n.ms]) } : { type: "pulse", ended: notes };
  const ipcText = JSON.stringify(pulse);
  const t0 = process.cpuUsage();
  // one pulse per event-loop turn, so the log file's per-turn batching runs as in the daemon
  for (let done = 0; done < N; done += B) {
    const msg = JSON.parse(ipcText);
    lines.ended(msg.ended ?? [], "host.1234.abcd.1", msg.finishedLines);
    await new Promise((r) => setImmediate(r));
  }
  const used = process.cpuUsage(t0);
  await closeLogger(log);
  return (used.user + used.system) / N;
}

console.log(`load average ${loadAverage().join(" ")}; ${N} lines per mode and round, ${B} per pulse, ${COMPACT ? "compact" : "notes"} pulses`);
for (let round = 0; round < 3; round++) {
  const row = [];
  for (const mode of MODES) row.push(`${mode} ${(await run(mode, round)).toFixed(2)}`);
  console.log(`round ${round + 1}: ${row.join("  ")} µs/line`);
}
rmSync(dir, { recursive: true, force: true });
