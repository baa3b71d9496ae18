/**
 * A Redis frozen for 15 s (SIGSTOP on a redis-server of the test's own, on a free port) under
 * two `scheduler start` daemons with two every-second tasks: every lease runs out while Redis
 * is stopped. After SIGCONT the scheduler resumes at once (a daemon takes the lead on the
 * unrecorded slots instead of waiting out a lease period) and applies each task's catch-up
 * policy to the frozen slots: `{ all: true }` runs every one of them, "latest" runs one late
 * run for them; no slot runs twice. Counted from the tasks' own logs.
 */
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/redis.js";
import { createKeys } from "../../src/redis/keys.js";
import { readLedger } from "../../src/scheduler/ledger.js";
import { freePort } from "../../src/base/free-port.js";
import { spawnScheduler } from "./helpers/procs.js";
import { type Watched, stoppedAfterEach } from "../helpers/spawn.js";
import { redisServer, type RedisServer } from "./helpers/redis-server.js";
import { atMidSecond, doubledSlots, missingSlots, readSlotLog, waitForSlot } from "./helpers/slot-log.js";

const FAILOVER_HOOKS = fileURLToPath(new URL("./fixtures/app/hooks-failover.ts", import.meta.url));
const FREEZE_MS = 15_000;

let server: RedisServer | undefined;
let redis: Redis | undefined;

// The test's own server, stopped after it (so the leak guard finds none), once the processes
// below are: registered first, so run last.
afterEach(async () => {
  server?.proc().kill("SIGCONT");
  redis?.disconnect();
  await server?.stop();
});
/** Killed (and awaited) after each test: a failing test leaves no process behind. */
const procs = stoppedAfterEach();

describe("Redis frozen for 15 s", () => {
  it("resumes at once and applies each task's catch-up policy to the frozen slots", async () => {
    server = await redisServer();
    await server.start();
    redis = new Redis(server.url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
    redis.on("error", () => {});
    const keys = createKeys("freeze");
    const recAll = `${keys.root}:rec:all`;
    const recLatest = `${keys.root}:rec:latest`;
    for (let i = 0; i < 2; i++) {
      procs.push(spawnScheduler("start", FAILOVER_HOOKS, server.url, keys.prefix, ["--queue", "default"], { env: { RELIABILITY_REC: recAll, FAILOVER_CATCHUP: "all", FAILOVER_SECOND_REC: recLatest } }));
    }
    await waitFor(async () => (await redis!.hlen(`${recAll}:slots`)) >= 3 && (await redis!.hlen(`${recLatest}:slots`)) >= 3, 30_000);

    await atMidSecond();
    const frozenAt = Date.now();
    server.proc().kill("SIGSTOP");
    await new Promise((r) => setTimeout(r, FREEZE_MS));
    server.proc().kill("SIGCONT");
    const thawedAt = Date.now();

    const firstFrozen = Math.ceil(frozenAt / 1000) * 1000;
    const caughtUpAt = await waitForSlot(redis, recAll, firstFrozen, 20_000);
    const end = Math.floor(Date.now() / 1000) * 1000 + 3000;
    await waitForSlot(redis, recAll, end, 20_000);
    await waitForSlot(redis, recLatest, end, 20_000);
    const all = await readSlotLog(redis, recAll);
    const latest = await readSlotLog(redis, recLatest);
    const ledgerAll = await readLedger(redis, keys, "cron:* * * * * *|app.tasks.tick");
    const ledgerLatest = await readLedger(redis, keys, "cron:*/1 * * * * *|app.tasks.tick");
    // A slot the ledger skipped as an overlap (its previous run still queued or running: on a
    // loaded machine a run can take seconds to start) is the overlap rule, not a freeze loss.
    const overlapped = (ledger: typeof ledgerAll) => (s: number) => ledger.some((e) => e.reason === "overlap" && s >= (e.firstSlot ?? e.slot) && s <= e.slot);
    const missingAll = missingSlots(all, frozenAt - 3000, end).filter((s) => !overlapped(ledgerAll)(s));
    // "latest": the first run after the freeze is the one late run standing for the frozen slots.
    // On the per-queue layout the enqueue of the first frozen slot, sent while its leader's lease
    // still held, can land when Redis thaws (a queue's tag cannot see the lease: docs/
    // architecture.md "Fencing per tag"): that slot runs late, once, and the late run follows it.
    const after = [...latest.runs.keys()].filter((s) => s > frozenAt).sort((a, b) => a - b);
    const inFlight = after[0] === firstFrozen && after.length > 1 && after[1]! - firstFrozen >= FREEZE_MS - 2000 ? 1 : 0;
    const lateRun = after[inFlight]!;
    // eslint-disable-next-line no-console
    console.log(`REDIS-FREEZE first catch-up run ${caughtUpAt - thawedAt} ms after SIGCONT; all: missing ${missingAll.length} (overlap-skipped ${missingSlots(all, frozenAt - 3000, end).length - missingAll.length}); latest: late run for ${new Date(lateRun).toISOString()}, ${(lateRun - firstFrozen) / 1000} slots collapsed into it${inFlight ? " (the first frozen slot's enqueue, in flight at the freeze, ran too)" : ""}`);

    expect(doubledSlots(all)).toEqual([]);
    expect(doubledSlots(latest)).toEqual([]);
    // Resumed at once: not a lease period (10 s) after the thaw.
    expect(caughtUpAt - thawedAt).toBeLessThan(5000);
    // { all: true }: every slot, the frozen ones included.
    expect(missingAll).toEqual([]);
    // "latest": the frozen slots collapse into one late run, recorded as missed; every slot after it runs.
    expect(lateRun - firstFrozen).toBeGreaterThanOrEqual(FREEZE_MS - 2000);
    const collapsed = ledgerLatest.find((e) => e.outcome === "missed" && (e.count ?? 1) >= 10);
    expect(collapsed, JSON.stringify(ledgerLatest.slice(0, 8))).toBeDefined();
    expect(missingSlots(latest, lateRun, end).filter((s) => !overlapped(ledgerLatest)(s))).toEqual([]);
  }, 120_000);
});
