// The job lines as src/worker/supervisor/job-line-record.ts makes them and log/flat-record.ts
// writes them (a pulse's lines in one write per output, finished jobs from the child's compact
// list through a template): the exact line for finished, failed, retried and timed-out jobs, in
// JSON (console descriptor and rotated file) and on a terminal (zone, colour, NO_COLOR), each
// equal byte for byte to what pino writes for the same record through the same kind of logger.
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { closeLogger, createLogger, type Logger } from "../../src/log/logger.js";
import { useRedactKeys } from "../../src/security/redact-config.js";
import { JobLines } from "../../src/worker/supervisor/job-lines.js";
import type { JobEndNote } from "../../src/worker/protocol.js";
import { textStream } from "../helpers/text-stream.js";
import { throughPino } from "../helpers/through-pino.js";

const NOW = Date.parse("2026-12-03T18:00:00.123Z");
const folders: string[] = [];
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(NOW));
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  useRedactKeys(undefined);
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), "hs-job-line-"));
  folders.push(dir);
  return dir;
};

/** A logger as `scheduler worker` makes it off a terminal: JSON to a descriptor and the rotated file. */
function jsonLogger() {
  const dir = tmp();
  const fd = openSync(join(dir, "console"), "w");
  const log = createLogger({ name: "worker", level: "info", console: fd, file: join(dir, "worker.log") });
  return {
    log,
    async written() {
      await closeLogger(log);
      closeSync(fd);
      return { console: readFileSync(join(dir, "console"), "utf8"), file: readFileSync(join(dir, "worker.log"), "utf8") };
    },
  };
}

/** What `print` writes through a logger as the daemon makes it on a terminal (the human one-line form), checked equal to pino's. */
async function printedOnTty(zone: string): Promise<string> {
  const texts: string[] = [];
  for (const direct of [true, false]) {
    const out = textStream();
    Object.assign(out.stream, { isTTY: true });
    const log = createLogger({ name: "worker", level: "info", console: out.stream, zone });
    print(direct ? log : throughPino(log));
    await new Promise((r) => setImmediate(r));
    texts.push(out.text());
  }
  expect(texts[0]).toBe(texts[1]);
  return texts[0]!;
}

const ID = "8f3a1b2c-0d4e-4f5a-9b6c-7d8e9f0a1b2c";
const WORKER = "host.1.w1";
/** Two finished jobs as the child's pulse lists them (id, queue, task, attempt, ms). */
const finishedLines = [ID, "default", "app.tasks.send", 1, 12, "custom-id-7", "short", "app.tasks.ping", 3, 1234.5];
const ERROR = "TypeError: upstream said 503 via redis://:hunter2@db:6379";
const failed: JobEndNote = { id: "1c9e0d44-aaaa-bbbb-cccc-0123456789ab", queue: "short", method: "app.tasks.flaky", attempt: 2, at: 0, ms: 3, outcome: "failed", error: ERROR, frames: ["at flaky (app/tasks.ts:12:9)", "at run (app/run.ts:3:4)"] };
const retried: JobEndNote = { ...failed, id: "2d0f1e55-aaaa-bbbb-cccc-0123456789ab", outcome: "retry-scheduled", attempt: 1, frames: undefined };
const timedOut = { id: "3e1a2f66-aaaa-bbbb-cccc-0123456789ab", queue: "default", method: "app.tasks.hang", ms: 1003, outcome: "timed-out" as const, error: "timed out after 1 s (queue default timeout)" };

/** One pulse (two finished, one failed, one retried), then a job the supervisor timed out itself. */
function print(log: Logger): void {
  const lines = new JobLines(log, "all");
  lines.ended([failed, retried], WORKER, finishedLines);
  lines.print({ ...timedOut, worker: WORKER });
}

describe("job line records", () => {
  it("JSON: the exact lines, equal to pino's on the console descriptor and in the file", async () => {
    const flat = jsonLogger();
    const viaPino = jsonLogger();
    print(flat.log);
    print(throughPino(viaPino.log));
    const ours = await flat.written();
    const pinos = await viaPino.written();
    expect(ours.console).toBe(pinos.console);
    expect(ours.file).toBe(pinos.file);
    expect(ours.file).toBe(ours.console);
    const head = (level: number) => `{"level":${level},"time":${NOW},"pid":${process.pid},"name":"worker","kind":"job"`;
    expect(ours.console.split("\n")).toEqual([
      `${head(30)},"outcome":"finished","jobId":"${ID}","queue":"default","task":"app.tasks.send","ms":12,"worker":"${WORKER}","attempt":1,"msg":"finished   default   app.tasks.send  8f3a1b2c  12 ms"}`,
      `${head(30)},"outcome":"finished","jobId":"custom-id-7","queue":"short","task":"app.tasks.ping","ms":1234.5,"worker":"${WORKER}","attempt":3,"msg":"finished   short     app.tasks.ping  custom-id-7  1.23 s"}`,
      `${head(50)},"outcome":"failed","jobId":"${failed.id}","queue":"short","task":"app.tasks.flaky","ms":3,"worker":"${WORKER}","attempt":2,"error":"TypeError: upstream said 503 via redis://:***@db:6379","frames":["at flaky (app/tasks.ts:12:9)","at run (app/run.ts:3:4)"],"msg":"failed     short     app.tasks.flaky  1c9e0d44  3 ms  TypeError: upstream said 503 via redis://:***@db:6379"}`,
      `${head(40)},"outcome":"retry-scheduled","jobId":"${retried.id}","queue":"short","task":"app.tasks.flaky","ms":3,"worker":"${WORKER}","attempt":1,"error":"TypeError: upstream said 503 via redis://:***@db:6379","msg":"retry      short     app.tasks.flaky  2d0f1e55  3 ms  TypeError: upstream said 503 via redis://:***@db:6379"}`,
      `${head(50)},"outcome":"timed-out","jobId":"${timedOut.id}","queue":"default","task":"app.tasks.hang","ms":1003,"worker":"${WORKER}","error":"timed out after 1 s (queue default timeout)","msg":"timed out  default   app.tasks.hang  3e1a2f66  1.00 s  timed out after 1 s (queue default timeout)"}`,
      "",
    ]);
  });

  it("a finished line's template follows the hooks' redact list and falls back for values that need escaping", async () => {
    useRedactKeys(["worker", "jobId", "ms"]);
    const odd = ["id-1", 'q"uote', "app.tasks.x?token=s3cr3t", 1, 5];
    const flat = jsonLogger();
    const viaPino = jsonLogger();
    for (const log of [flat.log, throughPino(viaPino.log)]) new JobLines(log, "all").ended([], WORKER, [...finishedLines, ...odd]);
    const ours = await flat.written();
    expect(ours.console).toBe((await viaPino.written()).console);
    const records = ours.console.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ jobId: "[redacted]", ms: "[redacted]", worker: "[redacted]", task: "app.tasks.send", attempt: 1 });
    expect(records[2]).toMatchObject({ queue: 'q"uote', task: "app.tasks.x?token=***" });
    expect(ours.console).not.toContain("s3cr3t");
  });

  it("a finished line's fast path: ids the URL mask or JSON would change, odd ms and attempts, the same as pino's", async () => {
    const ids = ["redis://u:pw@h/0", "a=b", "x?password=pw", 'q"id', "back\\slash", "tab\tid", "ABCDEF0123456789-abcdef", "abc", "ünïcode-id"];
    const list = ids.flatMap((id, i) => [id, "default", "app.tasks.send", [1, 0, 999, 1000, 2.5][i % 5]!, [0, 999, 1000, -1, 12.5, 59_999, 61_000, Number.NaN, 7][i]!]);
    const flat = jsonLogger();
    const viaPino = jsonLogger();
    for (const log of [flat.log, throughPino(viaPino.log)]) new JobLines(log, "all").ended([], WORKER, list);
    const ours = await flat.written();
    const theirs = await viaPino.written();
    expect(ours.console).toBe(theirs.console);
    expect(ours.file).toBe(theirs.file);
    expect(ours.console.trim().split("\n")).toHaveLength(ids.length);
    expect(ours.console).not.toContain(":pw@");
  });

  it("on a terminal: one line per job, the time in the configured zone, colour, frames indented; the same as pino's", async () => {
    vi.stubEnv("NO_COLOR", "");
    vi.stubEnv("FORCE_COLOR", "1");
    const text = await printedOnTty("Asia/Kolkata");
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^\x1b\[90m2026-12-03 23:30:00\.123 (IST|GMT\+5:30)\x1b\[0m {2}\x1b\[36mINFO \x1b\[0m {2}job {8}\x1b\[32mfinished \x1b\[0m {2}default {3}app\.tasks\.send {2}8f3a1b2c {2}12 ms$/);
    expect(lines[2]).toContain("\x1b[31mfailed   \x1b[0m  short     app.tasks.flaky  1c9e0d44  3 ms  TypeError: upstream said 503 via redis://:***@db:6379");
    expect(lines[3]).toBe("      \x1b[90mat flaky (app/tasks.ts:12:9)\x1b[0m");
  });

  it("on a terminal with NO_COLOR: no escape codes; the zone named (UTC)", async () => {
    vi.stubEnv("NO_COLOR", "1");
    const text = await printedOnTty("UTC");
    expect(text).not.toContain("\x1b[");
    expect(text.split("\n")).toEqual([
      "2026-12-03 18:00:00.123 UTC  INFO   job        finished   default   app.tasks.send  8f3a1b2c  12 ms",
      "2026-12-03 18:00:00.123 UTC  INFO   job        finished   short     app.tasks.ping  custom-id-7  1.23 s",
      "2026-12-03 18:00:00.123 UTC  ERROR  job        failed     short     app.tasks.flaky  1c9e0d44  3 ms  TypeError: upstream said 503 via redis://:***@db:6379",
      "      at flaky (app/tasks.ts:12:9)",
      "      at run (app/run.ts:3:4)",
      "2026-12-03 18:00:00.123 UTC  WARN   job        retry      short     app.tasks.flaky  2d0f1e55  3 ms  TypeError: upstream said 503 via redis://:***@db:6379",
      "2026-12-03 18:00:00.123 UTC  ERROR  job        timed out  default   app.tasks.hang  3e1a2f66  1.00 s  timed out after 1 s (queue default timeout)",
      "",
    ]);
  });

  it("--job-lines failures: no line for the finished jobs of the list, the others as with all", async () => {
    const flat = jsonLogger();
    const lines = new JobLines(flat.log, "failures");
    lines.ended([failed], WORKER, finishedLines);
    const { console } = await flat.written();
    expect(console.trim().split("\n").map((l) => (JSON.parse(l) as { outcome: string }).outcome)).toEqual(["failed"]);
  });
});
