// RQ under the bench, when a python3 with `rq` exists (Debian's python3-rq is at /usr/bin/python3;
// a pyenv python3 first on PATH usually lacks it). Each figure is one rq_bench.py run.
import { execFileSync } from "node:child_process";
import { BENCH_URL, ROOT, summary } from "../lib/common.mjs";

export const name = "RQ";

/** The first python3 that imports rq, or { note } saying why RQ is skipped. */
export function findRq() {
  for (const python of ["/usr/bin/python3", "python3"]) {
    try {
      const version = execFileSync(python, ["-c", "import rq; print(rq.VERSION)"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
      return { python, version };
    } catch {
      /* next */
    }
  }
  return { note: "RQ skipped: no python3 here imports rq (apt-get install -y python3-rq)" };
}

export function createRq(python) {
  const run = (...args) => {
    const text = execFileSync(python, [`${ROOT}/bench/systems/rq_bench.py`, ...args.map(String)], {
      encoding: "utf8",
      env: { ...process.env, BENCH_REDIS_URL: BENCH_URL },
      timeout: 240_000,
      maxBuffer: 16 * 2 ** 20,
    });
    return JSON.parse(text.trim().split("\n").pop());
  };
  return {
    name,
    enqueueOne: async (n) => run("enqueue-one", n).rate,
    enqueueBulk: async (n) => run("enqueue-bulk", n).rate,
    throughput: async ({ task, n }) => run("throughput", task, n).rate,
    latency: async (samples) => summary(run("latency", samples).samples),
    memoryPerJob: async (n) => run("memory", n).perJob,
  };
}
