// The gap a leader death leaves (issue 16): three `scheduler start` daemons on bench/app/
// hooks-failover.ts (an every-second task), the leader killed with -9 five times per catch-up
// policy ("latest", then { all: true }), a fresh daemon replacing each dead one. Per kill it
// prints, from the task's own record of the slots it ran: slots never run around the kill,
// slots the ledger skipped as overlaps (previous run still queued or running), how long after
// the kill the new leader recorded a later slot (the failover), and when a later slot ran. Never asserts (test/reliability/leader-gap.redis.test.ts does).
//   node bench/leader-gap.mjs            (needs `npm run build`; BENCH_REDIS_URL as in lib/common.mjs)
//   BENCH_ROUNDS=5 BENCH_POLICIES=latest,all
import { spawn } from "node:child_process";
import { BENCH_URL, ROOT, dropKeys, redisClient, resetPrefix, sleep, waitFor } from "./lib/common.mjs";
import { readLastSlots } from "../dist/scheduler/guard-records.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const POLICIES = (process.env.BENCH_POLICIES ?? "latest,all").split(",");
const HOOKS = `${ROOT}/bench/app/hooks-failover.ts`;
const TASK = "cron:* * * * * *|bench_app.tasks.slot";

const redis = redisClient();

function daemon(prefix, env) {
  const p = spawn(process.execPath, [`${ROOT}/bin/scheduler.js`, "start", "--hooks", HOOKS, "--redis", BENCH_URL, "--prefix", prefix, "--json"], {
    env: { ...process.env, BENCH_REDIS_URL: BENCH_URL, SCHEDULER_LOG_LEVEL: "warn", ...env },
    stdio: "ignore",
  });
  const exited = new Promise((resolve) => p.on("exit", resolve));
  return { p, exited, alive: () => p.exitCode === null && p.signalCode === null };
}

const slotsRun = async (key) => new Map(Object.entries(await redis.hgetall(key)).map(([s, n]) => [Number(s), Number(n)]));
const lastRun = async (key) => Math.max(-Infinity, ...(await slotsRun(key)).keys());
const midSecond = async () => {
  const now = Date.now();
  const at = Math.ceil(now / 1000) * 1000 + 500;
  await sleep(at - now > 1000 ? at - 1000 - now : at - now);
};

async function policyRounds(policy) {
  const prefix = `bench-gap-${policy}-${Date.now()}`;
  const keys = await resetPrefix(redis, prefix);
  const key = `{${prefix}}:slots`;
  const env = { BENCH_CATCHUP: policy, BENCH_SLOTS_KEY: key };
  const daemons = [daemon(prefix, env), daemon(prefix, env), daemon(prefix, env)];
  const rows = [];
  try {
    await waitFor(async () => (await redis.hlen(key)) >= 5, 60_000, "five runs before the first kill");
    for (let round = 1; round <= ROUNDS; round++) {
      const token = await waitFor(() => redis.get(`{${prefix}}:scheduler:leader`), 20_000, "a leader");
      const pid = Number(token.split(":")[1]);
      const leader = daemons.find((d) => d.p.pid === pid && d.alive());
      if (!leader) throw new Error(`bench: leader pid ${pid} is not one of ours`);
      await midSecond();
      const killedAt = Date.now();
      leader.p.kill("SIGKILL");
      await leader.exited;
      const firstAfter = Math.ceil(killedAt / 1000) * 1000;
      // where the product keeps the task's slot record (its queue's tag on the per-queue layout)
      await waitFor(async () => Number((await readLastSlots(redis, keys, [{ id: TASK, queue: "bench" }]))[0]) >= firstAfter, 30_000, "a slot recorded after the kill");
      const recordedMs = Date.now() - killedAt;
      await waitFor(async () => (await lastRun(key)) >= firstAfter, 30_000, "a run after the kill");
      const resumedMs = Date.now() - killedAt;
      await waitFor(async () => (await lastRun(key)) >= firstAfter + 3000, 30_000, "three more runs");
      daemons.splice(daemons.indexOf(leader), 1, daemon(prefix, env));
      rows.push({ round, killedAt, recordedMs, resumedMs });
    }
    const end = Math.floor(Date.now() / 1000) * 1000;
    await waitFor(async () => (await lastRun(key)) >= end + 2000, 30_000, "the last runs");
    const runs = await slotsRun(key);
    const ledger = (await redis.lrange(`{${prefix}}:ledger:${TASK}`, 0, -1)).map((l) => JSON.parse(l));
    const overlapped = new Set();
    for (const e of ledger.filter((x) => x.reason === "overlap")) for (let s = e.firstSlot ?? e.slot; s <= e.slot; s += 1000) overlapped.add(s);
    const doubled = [...runs].filter(([, n]) => n > 1).length;
    for (const r of rows) {
      const window = [];
      for (let s = Math.ceil((r.killedAt - 1000) / 1000) * 1000; s < r.killedAt + 3000; s += 1000) window.push(s);
      r.missing = window.filter((s) => !runs.has(s) && !overlapped.has(s)).length;
      r.overlap = window.filter((s) => overlapped.has(s)).length;
    }
    return { policy, rows, doubled };
  } finally {
    for (const d of daemons) if (d.alive()) d.p.kill("SIGTERM");
    await Promise.race([Promise.all(daemons.map((d) => d.exited)), sleep(15_000)]);
    for (const d of daemons) if (d.alive()) d.p.kill("SIGKILL");
    await dropKeys(redis, keys.pattern);
  }
}

try {
  console.log(`leader-gap: 3 daemons, every-second task, leader kill -9 x${ROUNDS} per policy (${BENCH_URL})`);
  console.log("policy  kill  missing  overlap-skipped  slot recorded after (ms)  slot run after (ms)");
  for (const policy of POLICIES) {
    const { rows, doubled } = await policyRounds(policy);
    for (const r of rows) console.log(`${policy.padEnd(7)} ${String(r.round).padStart(4)}  ${String(r.missing).padStart(7)}  ${String(r.overlap).padStart(15)}  ${String(r.recordedMs).padStart(24)}  ${String(r.resumedMs).padStart(19)}`);
    console.log(`${policy.padEnd(7)}  slots run twice: ${doubled}`);
  }
} finally {
  redis.disconnect();
}
