// The ceiling: what this Redis server does per second for the commands a job needs, measured by
// redis-benchmark on the same server (`-q -n 100000 -c 50`), on keys of our own, deleted after.
import { execFileSync } from "node:child_process";
import { BENCH_URL, dropKeys } from "./common.mjs";

const REQUESTS = Number(process.env.BENCH_CEILING_REQUESTS ?? 100_000);

export async function redisCeiling(redis) {
  const url = new URL(BENCH_URL);
  const db = url.pathname.replace("/", "") || "0";
  const sha = await redis.script("LOAD", "return 1");
  const commands = {
    "EVALSHA (trivial script)": ["evalsha", sha, "0"],
    LPUSH: ["lpush", "bench:ceiling:list", "x"],
    RPOP: ["rpop", "bench:ceiling:list"],
    ZADD: ["-r", "100000", "zadd", "bench:ceiling:zset", "__rand_int__", "m:__rand_int__"],
    HSET: ["-r", "100000", "hset", "bench:ceiling:hash", "f:__rand_int__", "v"],
  };
  const out = {};
  for (const [label, cmd] of Object.entries(commands)) {
    const args = ["-h", url.hostname, "-p", url.port || "6379", "--dbnum", db, "-q", "-n", String(REQUESTS), "-c", "50"];
    // -r goes before the command words
    const rIndex = cmd.indexOf("-r");
    if (rIndex === 0) args.push("-r", cmd[1]);
    args.push(...(rIndex === 0 ? cmd.slice(2) : cmd));
    const text = execFileSync("redis-benchmark", args, { encoding: "utf8", timeout: 60_000 });
    const m = /([\d.]+) requests per second/.exec(text.replace(/\r/g, "\n"));
    if (!m) throw new Error(`redis-benchmark ${cmd.join(" ")}: no figure in ${JSON.stringify(text.slice(-300))}`);
    out[label] = Number(m[1]);
  }
  await dropKeys(redis, "bench:ceiling:*");
  return out;
}
