/**
 * Reference: "Distributed Locking". The reference's lock is a constant deleted unconditionally,
 * so a run that outlives its timeout deletes the next holder's lock. Here only the owner can
 * release it, it is renewed while the task runs, and `signal` says when it was lost anyway.
 * When busy, the result is `{ acquired: false }` (or pass ifLocked: "throw" to retry later).
 */
import { withLock } from "../src/index.js";

export const sync_inventory = withLock("sync_inventory", { ttl: 60_000 })(async (_kwargs, { signal }) => {
  let synced = 0;
  for (const sku of ["A-1", "B-2", "C-3"]) {
    if (signal.aborted) break; // someone else holds the lock now: stop writing
    await new Promise((r) => setTimeout(r, 50)); // perform_sync(sku)
    void sku;
    synced++;
  }
  return synced;
});
