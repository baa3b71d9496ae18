/** The pure helpers of the operator commands: tables, times, kwargs, INFO parsing. */
import { describe, expect, it } from "vitest";
import { renderPairs, renderTable, truncate } from "../../src/cli/format/table.js";
import { formatAgo, formatBytes, formatDuration } from "../../src/cli/format/time.js";
import { parseKwargs } from "../../src/cli/format/kwargs.js";
import { UsageError } from "../../src/cli/common.js";
import { describePersistence, parseInfo } from "../../src/ops/redis-info.js";
import { parseStatus } from "../../src/ops/job-states.js";

describe("renderTable", () => {
  it("pads columns to the widest cell, right-aligns numbers, trims line ends", () => {
    const out = renderTable(
      [
        { q: "default", n: 3 },
        { q: "my_custom_queue", n: 120 },
      ],
      [
        { header: "QUEUE", value: (r) => r.q },
        { header: "N", value: (r) => String(r.n), right: true },
      ],
    );
    expect(out.split("\n")).toEqual(["QUEUE              N", "default            3", "my_custom_queue  120"]);
  });

  it("cuts long cells with an ellipsis and keeps them on one line", () => {
    expect(truncate("a\n  b c d e f", 6)).toBe("a b c…");
    expect(renderTable([{ e: "x".repeat(20) }], [{ header: "E", value: (r) => r.e, max: 5 }]).split("\n")[1]).toBe("xxxx…");
  });

  it("renderPairs aligns values after the keys", () => {
    expect(renderPairs([["id", "1"], ["status", "ok"]])).toBe("id:     1\nstatus: ok");
  });
});

describe("durations and sizes", () => {
  it.each([
    [850, "850ms"],
    [1500, "1.5s"],
    [45_000, "45s"],
    [200_000, "3m 20s"],
    [180_000, "3m"],
    [7_500_000, "2h 5m"],
    [273_600_000, "3d 4h"],
  ])("formatDuration(%d) = %s", (ms, text) => expect(formatDuration(ms)).toBe(text));

  it("formatAgo says ago or in", () => {
    expect(formatAgo(1000, 13_000)).toBe("12s ago");
    expect(formatAgo(70_000, 10_000)).toBe("in 1m");
    expect(formatAgo(undefined, 1)).toBe("-");
  });

  it("formatBytes", () => {
    expect(formatBytes(900)).toBe("900B");
    expect(formatBytes(2_300_000)).toBe("2.19M");
  });
});

describe("parseKwargs", () => {
  it("key=value values are JSON when they parse, else strings", () => {
    expect(parseKwargs(undefined, ["n=3", "on=true", "user=ann", 'tags=["a"]', "empty=", "eq=a=b"])).toEqual({
      n: 3,
      on: true,
      user: "ann",
      tags: ["a"],
      empty: "",
      eq: "a=b",
    });
  });

  it("merges --kwargs with pairs and refuses a key given twice", () => {
    expect(parseKwargs('{"a":1}', ["b=2"])).toEqual({ a: 1, b: 2 });
    expect(() => parseKwargs('{"a":1}', ["a=2"])).toThrow(/kwarg "a" is given twice/);
    // an inherited name is not "given twice"
    expect(parseKwargs(undefined, ["constructor=x"])).toEqual({ constructor: "x" });
  });

  it("bad --kwargs JSON is a usage error with the position", () => {
    const err = (() => {
      try {
        parseKwargs('{"a":1,}', []);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^--kwargs is not valid JSON at position 7: /);
    expect(() => parseKwargs("[1]", [])).toThrow(/must be a JSON object, got an array/);
    expect(() => parseKwargs(undefined, ["novalue"])).toThrow(/"novalue" is not key=value/);
  });
});

describe("Redis INFO and statuses", () => {
  it("parseInfo skips sections and comments", () => {
    expect(parseInfo("# Server\r\nredis_version:7.2.4\r\nredis_mode:standalone\r\n\r\n# Memory\r\nused_memory:1024\r\n")).toEqual({
      redis_version: "7.2.4",
      redis_mode: "standalone",
      used_memory: "1024",
    });
  });

  it("describePersistence warns when nothing persists", () => {
    expect(describePersistence({ aof: true, rdbSave: "3600 1" })).toBe("AOF on, RDB save 3600 1");
    expect(describePersistence({ aof: false, rdbSave: "" })).toBe("AOF off, RDB off (jobs are lost if Redis restarts)");
    expect(describePersistence({})).toBe("AOF unknown, RDB unknown");
  });

  it("parseStatus accepts pending as queued and refuses unknown words", () => {
    expect(parseStatus("pending")).toBe("queued");
    expect(parseStatus("FAILED")).toBe("failed");
    expect(parseStatus("done")).toBeUndefined();
  });
});

describe("parseLimit-like usage errors", () => {
  it("UsageError carries the usage exit code through reportError", async () => {
    const { reportError } = await import("../../src/cli/common.js");
    const write = process.stderr.write;
    const lines: string[] = [];
    process.stderr.write = ((chunk: string) => (lines.push(chunk), true)) as typeof process.stderr.write;
    try {
      expect(reportError(new UsageError('--limit "0" is not a positive whole number', { hint: "e.g. --limit 20" }))).toBe(2);
      expect(reportError(new Error("other"))).toBe(1);
    } finally {
      process.stderr.write = write;
    }
    expect(lines[0]).toBe('scheduler: --limit "0" is not a positive whole number (e.g. --limit 20)\n');
  });
});

describe("renderJobDetail", () => {
  it("shows links, status record, cancel reason, error frames and attempts", async () => {
    const { renderJobDetail } = await import("../../src/cli/format/job-view.js");
    const t = Date.UTC(2026, 2, 1, 10, 0, 0);
    const text = renderJobDetail(
      {
        job: {
          id: "j1",
          method: "app.tasks.a",
          queue: "default",
          status: "canceled",
          kwargs: { n: 1 },
          timeout: 300,
          attempt: 1,
          createdAt: t,
          enqueuedAt: t,
          startedAt: t + 1000,
          endedAt: t + 3500,
          stalls: 0,
          childCount: 5,
          cancelReason: "dependency j0 failed",
          statusRecord: { status: "In Progress", processed: 40, total: 100, updatedAt: t + 2000 },
          error: { name: "Error", message: "boom", stack: "Error: boom\n    at run (/app/tasks.ts:3:9)" },
        },
        attempts: [{ attempt: 1, worker: "w1", startedAt: t + 1000, endedAt: t + 3500, outcome: "failed", error: { name: "Error", message: "boom" } }],
        parent: { id: "j0", status: "failed", method: "app.tasks.p" },
        children: [{ id: "k1", status: "queued", method: "app.tasks.k" }, { id: "k2" }],
        dependents: [],
        dependsOn: [],
        errorLogs: [
          { id: "1-0", type: "log.error", level: "error", at: t + 3000, msg: "Inventory sync: upstream 502", jobId: "j1", data: { title: "Inventory sync", stack: "Error: upstream 502\n    at sync (/app/tasks.ts:9:3)" } },
        ],
      },
      "UTC",
    );
    expect(text).toMatch(/^ran: +2\.5s$/m);
    expect(text).toMatch(/^waited: +1s$/m);
    expect(text).toMatch(/^cancel reason: +dependency j0 failed$/m);
    expect(text).toMatch(/^status record: +In Progress 40\/100 \(at 2026-03-01 10:00:02\)$/m);
    expect(text).toMatch(/^parent: +j0 \(failed, app\.tasks\.p\)$/m);
    expect(text).toMatch(/^children: +k1 \(queued, app\.tasks\.k\), k2 \(gone\) \(newest 2 of 5\)$/m);
    expect(text).toContain("error:\n  Error: boom\n    at run (/app/tasks.ts:3:9)");
    expect(text).toContain("attempts (1):\n  #1  failed    worker w1  started 2026-03-01 10:00:01  took 2.5s\n      Error: boom");
    expect(text).toContain("logged errors (1):\n  2026-03-01 10:00:03  Inventory sync: upstream 502\n      Error: upstream 502");
  });
});
