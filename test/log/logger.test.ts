import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { closeLogger, createLogger, jobLogger, logFilePath } from "../../src/log/logger.js";
import { textStream } from "../helpers/text-stream.js";
import { JobLines } from "../../src/worker/supervisor/job-lines.js";

const folders: string[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "hs-log-"));
  folders.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});


const lines = (text: string) => text.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe("createLogger", () => {
  it("writes JSON lines to the console and to logs/<name>.log, with job children tagged", async () => {
    const cwd = folder();
    const out = textStream();
    const file = logFilePath(cwd, "worker");
    expect(file).toBe(join(cwd, "logs", "worker.log"));
    const log = createLogger({ name: "worker", level: "debug", console: out.stream, file });
    log.debug("below info");
    jobLogger(log, { id: "j-42", queue: "short", method: "my_app.tasks.send", attempt: 2 }).warn({ user: "u1" }, "sending");
    await closeLogger(log);

    const fromFile = lines(readFileSync(file, "utf8"));
    expect(fromFile).toHaveLength(2);
    expect(fromFile[0]).toMatchObject({ name: "worker", level: 20, msg: "below info" });
    expect(fromFile[1]).toMatchObject({ name: "worker", level: 40, msg: "sending", jobId: "j-42", queue: "short", task: "my_app.tasks.send", attempt: 2, user: "u1" });
    expect(lines(out.text())).toEqual(fromFile);
  });

  it("a console descriptor and the file take pino's records and a pulse's job lines (bytes) in order, UTF-8 intact", async () => {
    const cwd = folder();
    const fd = openSync(join(cwd, "console"), "w");
    const file = logFilePath(cwd, "worker");
    const log = createLogger({ name: "worker", level: "info", console: fd, file });
    log.info("before: ünïcode ✓");
    new JobLines(log, "all").ended([], "w1", ["8f3a1b2c-0d4e-4f5a-9b6c-7d8e9f0a1b2c", "default", "app.tasks.ü", 1, 3, "id-2", "default", "app.tasks.ü", 1, 4]);
    log.warn({ n: 1 }, "after: 日本");
    await closeLogger(log);
    closeSync(fd);
    const fromConsole = lines(readFileSync(join(cwd, "console"), "utf8"));
    expect(fromConsole.map((l) => l.msg)).toEqual(["before: ünïcode ✓", "finished   default   app.tasks.ü  8f3a1b2c  3 ms", "finished   default   app.tasks.ü  id-2  4 ms", "after: 日本"]);
    expect(lines(readFileSync(file, "utf8"))).toEqual(fromConsole);
  });

  it("drops lines under its level", async () => {
    const out = textStream();
    const log = createLogger({ name: "scheduler", level: "warn", console: out.stream });
    log.info("quiet");
    log.error("loud");
    expect(lines(out.text()).map((l) => l.msg)).toEqual(["loud"]);
  });

  it("prints one human line per record when asked (as on a terminal), not JSON, nested fields inline", async () => {
    const out = textStream();
    const log = createLogger({ name: "scheduler", console: out.stream, pretty: true, zone: "UTC" });
    log.info({ queue: "default", groups: [{ queues: ["short", "default"], processes: 1 }] }, "tick done");
    expect(out.text()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC  INFO   scheduler  tick done  queue=default groups=\[queues=short,default processes=1\]\n$/);
  });

  it("rotates the file by size, keeping the configured number of old files", async () => {
    const cwd = folder();
    const file = logFilePath(cwd, "scheduler");
    const log = createLogger({ name: "scheduler", console: false, file, rotate: { size: "2000B", files: 2 } });
    const pad = "x".repeat(100);
    for (let i = 0; i < 120; i++) {
      log.info({ i, pad }, "line");
      if (i % 10 === 9) await new Promise((r) => setImmediate(r)); // let the stream notice its size
    }
    await closeLogger(log);
    log.info("after close is dropped, not an error");

    const names = readdirSync(join(cwd, "logs")).sort();
    expect(names).toEqual(["scheduler.log", "scheduler.log.1", "scheduler.log.2"]);
    for (const name of names) {
      const text = readFileSync(join(cwd, "logs", name), "utf8");
      // Rotation happens after the first batched write that crosses the size; lines are batched
      // per event-loop turn (10 lines here), so a file ends a few batches past 2000 bytes at most.
      if (name !== "scheduler.log") expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(2000);
      expect(Buffer.byteLength(text)).toBeLessThan(2000 + 4 * 10 * 200);
      for (const l of lines(text)) expect(l).toMatchObject({ name: "scheduler", msg: "line" });
    }
    // Oldest file first, the lines run in order without gaps up to the newest; the oldest were dropped.
    const kept = ["scheduler.log.2", "scheduler.log.1", "scheduler.log"].flatMap((n) => lines(readFileSync(join(cwd, "logs", n), "utf8")).map((l) => l.i as number));
    expect(kept.at(-1)).toBe(119);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, k) => kept[0]! + k));
    expect(kept[0]).toBeGreaterThan(0);
    expect(existsSync(join(cwd, "logs", "scheduler.log.3"))).toBe(false);
  });
});
