/** Shared by the embedded-redis tests: a port nothing answers on, and our redis-servers by pid. */
import { execFileSync } from "node:child_process";
import { createServer } from "node:net";

/** A port that was free a moment ago and that nothing listens on: the "6379 does not answer" probe. */
export async function deadPort(): Promise<string> {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 1));
    });
  });
  return `redis://127.0.0.1:${port}`;
}

/** pids of redis-server processes whose command line (proc title) mentions `needle`. */
export function serversMatching(needle: string): number[] {
  try {
    return execFileSync("pgrep", ["-f", needle], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}
