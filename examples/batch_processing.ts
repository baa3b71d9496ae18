/**
 * Reference: "Batch Processing". The reference pages with OFFSET over "status = Pending" while
 * marking rows done, so every page shifts the rest down and it skips half the rows. A keyset
 * cursor ("name > last seen") does not move when rows leave the filter.
 */
import { currentJob, forEachBatch, keysetSource } from "../src/index.js";
import { db } from "./lib/db.js";

export async function process_large_dataset() {
  return forEachBatch(
    keysetSource((after: number | undefined, limit) => db.pendingAfter(after, limit), (r) => r.name),
    { size: 100, total: db.countPending(), signal: currentJob()?.signal }, // progress goes to the job
    async (records) => {
      for (const r of records) db.markDone(r.name); // process_single_record
      // commit here: each batch is its own unit
    },
  );
}
