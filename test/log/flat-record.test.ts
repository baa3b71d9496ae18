// The job line written directly (src/log/flat-record.ts) against the line pino writes for the
// same record through the same kind of logger: equal byte for byte, on the console and in the
// file, redaction included (URL passwords in the error and frames, a key named by the list).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { closeLogger, createLogger, type Logger } from "../../src/log/logger.js";
import { writeFlat } from "../../src/log/flat-record.js";
import { useRedactKeys } from "../../src/security/redact-config.js";
import { JobLines } from "../../src/worker/supervisor/job-lines.js";
import type { JobEndNote } from "../../src/worker/protocol.js";
import { textStream } from "../helpers/text-stream.js";
import { throughPino } from "../helpers/through-pino.js";

const folders: string[] = [];
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-12-03T18:00:00.123Z"));
});
afterEach(() => {
  vi.useRealTimers();
  useRedactKeys(undefined);
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});


/** A logger as the daemon makes it (console + rotated file), and what it wrote to each. */
function daemonLogger(level: "info" | "error" = "info") {
  const dir = mkdtempSync(join(tmpdir(), "hs-flat-"));
  folders.push(dir);
  const out = textStream();
  const file = join(dir, "worker.log");
  const log = createLogger({ name: "worker", level, console: out.stream, file });
  return {
    log,
    async written() {
      await closeLogger(log);
      return { console: out.text(), file: readFileSync(file, "utf8") };
    },
  };
}


async function bothWays(notes: JobEndNote[], level: "info" | "error" = "info") {
  const flat = daemonLogger(level);
  const viaPino = daemonLogger(level);
  new JobLines(flat.log, "all").ended(notes, "host.1.w1");
  new JobLines(throughPino(viaPino.log), "all").ended(notes, "host.1.w1");
  return { flat: await flat.written(), pino: await viaPino.written() };
}

const finished: JobEndNote = { id: "8f3a1b2c-0d4e-4f5a-9b6c-7d8e9f0a1b2c", queue: "default", method: "app.tasks.send", attempt: 1, at: 0, ms: 12, outcome: "finished" };
const failed: JobEndNote = {
  id: "1c9e0d44-aaaa-bbbb-cccc-0123456789ab",
  queue: "short",
  method: "app.tasks.flaky",
  attempt: 2,
  at: 0,
  ms: 3,
  outcome: "failed",
  // a kwarg echoed into the error (a token in a query, a password in a URL), quotes, a tab, non-ASCII
  error: 'Error: GET https://api.example/x?token=s3cr3t&user=u1 said "503"\tvia redis://:hunter2@db:6379 (ünï ✓)',
  frames: ["at flaky (/app/tasks.ts:12:9)", "at load (https://deploy:pw@cdn.example/x.js:3:4)"],
};

describe("job lines written directly", () => {
  it("prints the line pino prints, on the console and in the file, secrets masked the same way", async () => {
    const { flat, pino } = await bothWays([finished, failed, { ...failed, outcome: "retry-scheduled", ms: Number.NaN, frames: undefined }]);
    expect(flat.console).toBe(pino.console);
    expect(flat.file).toBe(pino.file);
    const lines = flat.console.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      `{"level":30,"time":${Date.parse("2026-12-03T18:00:00.123Z")},"pid":${process.pid},"name":"worker","kind":"job","outcome":"finished","jobId":"${finished.id}","queue":"default","task":"app.tasks.send","ms":12,"worker":"host.1.w1","attempt":1,"msg":"finished   default   app.tasks.send  8f3a1b2c  12 ms"}`,
    );
    expect(flat.console).not.toMatch(/s3cr3t|hunter2|deploy:pw/);
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 50, error: expect.stringContaining("?token=***"), frames: [failed.frames![0], "at load (https://deploy:***@cdn.example/x.js:3:4)"] });
    expect(JSON.parse(lines[2]!)).toMatchObject({ level: 40, ms: null });
  });

  it("masks the fields whose key the hooks' redact list names, as pino's formatter does", async () => {
    useRedactKeys(["worker", "task"]);
    const { flat, pino } = await bothWays([finished, failed]);
    expect(flat.console).toBe(pino.console);
    expect(flat.file).toBe(pino.file);
    const first = JSON.parse(flat.console.split("\n")[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ worker: "[redacted]", task: "[redacted]", queue: "default" });
  });

  it("writes nothing under the logger's level, like pino", async () => {
    const { flat, pino } = await bothWays([finished, failed], "error");
    expect(flat.console).toBe(pino.console);
    expect(flat.console.trim().split("\n")).toHaveLength(1);
  });

  it("keeps a message's format placeholders as they are (pino formats only with extra arguments)", async () => {
    const flat = daemonLogger();
    const viaPino = daemonLogger();
    const fields = { kind: "job", n: 1, note: "50% done %s" };
    expect(writeFlat(flat.log, "warn", fields, "at 100%d %s %% ?password=x")).toBe(true);
    viaPino.log.warn(fields, "at 100%d %s %% ?password=x");
    expect((await flat.written()).console).toBe((await viaPino.written()).console);
  });

  it("declines a logger it did not make (the caller logs through it)", () => {
    const lines: unknown[] = [];
    const log: Logger = { debug: () => {}, info: (o) => lines.push(o), warn: () => {}, error: () => {} };
    expect(writeFlat(log, "info", { kind: "job" }, "x")).toBe(false);
    new JobLines(log, "all").ended([finished], "w");
    expect(lines).toEqual([{ kind: "job", outcome: "finished", jobId: finished.id, queue: "default", task: "app.tasks.send", ms: 12, worker: "w", attempt: 1 }]);
  });
});
