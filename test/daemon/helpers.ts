/** Shared by the embedded-redis tests: a port nothing answers on, and our redis-servers by pid. */
import { execFileSync } from "node:child_process";
import { freePort } from "../../src/base/free-port.js";

/** A port that was free a moment ago and that nothing listens on: the "6379 does not answer" probe. */
export async function deadPort(): Promise<string> {
  return `redis://127.0.0.1:${await freePort()}`;
}

/** pids of redis-server processes whose command line (proc title) mentions `needle`. */
export function serversMatching(needle: string): number[] {
  try {
    return execFileSync("pgrep", ["-f", needle], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}
