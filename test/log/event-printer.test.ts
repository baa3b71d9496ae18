import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createPrinter } from "../../src/log/event-printer.js";
import { formatEvent, progressOf } from "../../src/log/format-event.js";
import type { StoredEvent } from "../../src/log/read-events.js";
import { waitFor } from "../helpers/redis.js";

const AT = Date.parse("2026-03-29T00:59:59.250Z"); // one second before Berlin springs forward
const ev = (over: Partial<StoredEvent>): StoredEvent => ({ id: "1-0", type: "job.started", level: "info", at: AT, msg: "started", ...over });

function sink(tty: boolean) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  if (tty) Object.assign(stream, { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true, clearScreenDown: () => true });
  let text = "";
  stream.on("data", (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

describe("formatEvent", () => {
  it("shows time in the given zone, level, type, queue, job and message", () => {
    const line = formatEvent(ev({ queue: "short", jobId: "j1", level: "warn", type: "job.retry_scheduled", msg: "retry in 4s" }), { zone: "Europe/Berlin" });
    expect(line).toBe("2026-03-29 01:59:59.250  WARN   job.retry_scheduled  short     j1  retry in 4s");
    expect(formatEvent(ev({}), { zone: "UTC" })).toBe("2026-03-29 00:59:59.250  INFO   job.started     -         -  started");
  });

  it("colors the level only when asked", () => {
    expect(formatEvent(ev({ level: "error" }), { color: true, zone: "UTC" })).toContain("\x1b[31mERROR\x1b[0m");
    expect(formatEvent(ev({ level: "error" }), { zone: "UTC" })).not.toContain("\x1b[");
  });

  it("reads progress data defensively", () => {
    expect(progressOf(ev({ type: "job.progress", data: { percent: 150, title: "T" } }))).toEqual({ percent: 100, title: "T", description: undefined });
    expect(progressOf(ev({ type: "job.progress", data: { percent: "x" } }))).toBeUndefined();
    expect(progressOf(ev({ type: "job.started", data: { percent: 5 } }))).toBeUndefined();
  });
});

describe("createPrinter", () => {
  it("--json writes each event as one JSON line", () => {
    const out = sink(false);
    const printer = createPrinter({ out: out.stream, json: true });
    printer.print(ev({ jobId: "j1" }));
    expect(JSON.parse(out.text())).toMatchObject({ id: "1-0", jobId: "j1", type: "job.started" });
  });

  it("off a TTY, progress is a plain line", () => {
    const out = sink(false);
    createPrinter({ out: out.stream, zone: "UTC" }).print(ev({ type: "job.progress", jobId: "j1", msg: "45% Import", data: { percent: 45, title: "Import", description: "45 of 100" } }));
    expect(out.text()).toBe("2026-03-29 00:59:59.250  INFO   job.progress    -         j1  45% Import: 45 of 100\n");
  });

  it("on a TTY, progress is a live bar per job, removed when the job ends", async () => {
    const out = sink(true);
    const printer = createPrinter({ out: out.stream, zone: "UTC" });
    printer.print(ev({ type: "job.progress", jobId: "job-a", msg: "", data: { percent: 45, title: "Import", description: "45 of 100" } }));
    await waitFor(() => out.text().includes("45%"), 2000); // the bar redraws on its own timer
    printer.print(ev({ type: "job.progress", jobId: "job-a", msg: "", data: { percent: 80, title: "Import", description: "80 of 100" } }));
    await waitFor(() => out.text().includes("80%"), 2000);
    // A line logged while a bar runs is printed above it, and the bar is drawn again below it.
    printer.print(ev({ type: "job.failed", level: "error", jobId: "job-b", msg: "boom elsewhere" }));
    await waitFor(() => /boom elsewhere[\s\S]*job-a \[/.test(out.text()), 2000);
    printer.print(ev({ type: "job.finished", jobId: "job-a", msg: "finished" }));
    printer.close();
    const text = out.text();
    expect(text).toMatch(/job-a \[█+░+\] 45% Import: 45 of 100/);
    expect(text).toMatch(/job-a \[█+░+\] 80% Import: 80 of 100/);
    expect(text).toContain("job.finished");
    expect(text).not.toContain("job.progress"); // progress went to the bar, not to lines
  });
});
