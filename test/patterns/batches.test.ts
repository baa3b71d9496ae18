import { describe, expect, it } from "vitest";
import { forEachBatch, keysetSource } from "../../src/patterns/batches.js";
import { runInScope } from "../../src/queue/work-scope.js";
import type { CurrentJob, ProgressInput } from "../../src/runtime/job-context.js";

interface Row {
  id: number;
  status: "Pending" | "Done";
}

/** A table of `n` pending rows; processing a row moves it out of the "Pending" filter. */
function table(n: number) {
  const rows: Row[] = Array.from({ length: n }, (_, i) => ({ id: i + 1, status: "Pending" }));
  const processedCount = new Map<number, number>();
  return {
    pending: () => rows.filter((r) => r.status === "Pending"),
    process(row: Row) {
      processedCount.set(row.id, (processedCount.get(row.id) ?? 0) + 1);
      rows.find((r) => r.id === row.id)!.status = "Done";
    },
    processedCount,
  };
}

describe("forEachBatch", () => {
  it("the reference's OFFSET loop skips rows when processed rows leave the filtered set", () => {
    const t = table(1000);
    let offset = 0;
    for (;;) {
      const records = t.pending().slice(offset, offset + 100); // limit_start=offset, limit_page_length=100
      if (records.length === 0) break;
      for (const r of records) t.process(r);
      offset += 100;
    }
    expect(t.processedCount.size).toBe(500); // half the rows were never processed
    expect(t.pending().length).toBe(500);
  });

  it("keyset pagination processes every row of a shrinking set exactly once", async () => {
    const t = table(1000);
    const source = keysetSource<Row, number>(
      (after, limit) => t.pending().filter((r) => r.id > (after ?? 0)).slice(0, limit),
      (r) => r.id,
    );
    const progress: number[] = [];
    const result = await forEachBatch(source, { size: 100, total: 1000, onProgress: (p) => void progress.push(p.percent!) }, (rows) => {
      for (const r of rows) t.process(r);
    });
    expect(result).toEqual({ batches: 10, processed: 1000 });
    expect(t.pending()).toEqual([]);
    expect([...t.processedCount.values()].every((n) => n === 1)).toBe(true);
    expect(t.processedCount.size).toBe(1000);
    expect(progress).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  });

  it("passes batch numbers, stops on an empty page or a null cursor, and handles a size not dividing the set", async () => {
    const data = Array.from({ length: 25 }, (_, i) => i);
    const seen: Array<[number, number, number]> = [];
    const result = await forEachBatch<number, number>(
      (cursor, size) => {
        const from = cursor ?? 0;
        const items = data.slice(from, from + size);
        return { items, nextCursor: from + size < data.length ? from + size : null };
      },
      { size: 10 },
      (items, { batch, processed }) => void seen.push([batch, processed, items.length]),
    );
    expect(result).toEqual({ batches: 3, processed: 25 });
    expect(seen).toEqual([
      [0, 0, 10],
      [1, 10, 10],
      [2, 20, 5],
    ]);
    expect(await forEachBatch(() => ({ items: [] }), { size: 5 }, () => {
      throw new Error("never called");
    })).toEqual({ batches: 0, processed: 0 });
  });

  it("publishes job progress when run inside a job and `total` is known", async () => {
    const published: ProgressInput[] = [];
    const job: CurrentJob = {
      id: "job-1",
      queue: "default",
      attempt: 1,
      kwargs: {},
      signal: new AbortController().signal,
      log: { debug() {}, info() {}, warn() {}, error() {} },
      publishProgress: async (p) => {
        published.push(p);
        return true;
      },
    };
    const rows = Array.from({ length: 30 }, (_, i) => ({ id: i + 1 }));
    await runInScope({ kind: "job", job, afterCommit: [] }, () =>
      forEachBatch(keysetSource((after: number | undefined, n) => rows.filter((r) => r.id > (after ?? 0)).slice(0, n), (r) => r.id), { size: 10, total: 30, title: "Sync" }, () => {}),
    );
    expect(published.map((p) => Math.round(p.percent))).toEqual([33, 67, 100]);
    expect(published[2]).toEqual({ percent: 100, title: "Sync", description: "Processed 30 of 30" });
  });

  it("fails clearly on a bad size, a bad page, a cursor that does not advance, and stops on abort", async () => {
    await expect(forEachBatch(() => ({ items: [] }), { size: 0 }, () => {})).rejects.toThrow("forEachBatch: size must be an integer >= 1, got 0");
    await expect(forEachBatch(() => undefined as never, { size: 1 }, () => {})).rejects.toThrow(/source must return \{ items/);
    await expect(forEachBatch(() => ({ items: [1], nextCursor: 7 }), { size: 1 }, () => {})).rejects.toThrow(/same cursor twice \(7\)/);
    const controller = new AbortController();
    let calls = 0;
    await expect(
      forEachBatch((c: number | undefined) => ({ items: [c ?? 0], nextCursor: (c ?? 0) + 1 }), { size: 1, signal: controller.signal }, () => {
        if (++calls === 3) controller.abort(new Error("timeout"));
      }),
    ).rejects.toThrow("timeout");
    expect(calls).toBe(3);
  });
});
