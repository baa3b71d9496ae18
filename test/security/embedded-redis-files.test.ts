/**
 * The embedded Redis's folder holds every job's data: 0700, every file in it 0600, including
 * the AOF redis-server writes after start and files an older version left 0644.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ensureRedis, type RedisHandle } from "../../src/daemon/embedded-redis.js";
import { deadPort, serversMatching } from "../daemon/helpers.js";
import { waitFor } from "../helpers/redis.js";

const cwd = mkdtempSync(join(tmpdir(), "hs-sec-emb-"));
let handle: RedisHandle | undefined;

// The test's embedded Redis, stopped after it (so the leak guard finds none).
afterEach(async () => {
  await handle?.stop();
  const socket = join(cwd, ".scheduler", "redis", "redis.sock");
  for (const pid of serversMatching(socket)) process.kill(pid, "SIGKILL");
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** Every path under dir with its permission bits. */
function modes(dir: string): Array<[string, number, boolean]> {
  const out: Array<[string, number, boolean]> = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isSocket()) continue;
    out.push([path, st.mode & 0o777, st.isDirectory()]);
    if (st.isDirectory()) out.push(...modes(path));
  }
  return out;
}

describe("embedded Redis files", () => {
  it("folder 0700, files 0600, also those redis-server writes later and those left wider before", async () => {
    const dir = join(cwd, ".scheduler", "redis");
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    writeFileSync(join(dir, "redis.log"), "an older version's log\n", { mode: 0o644 });
    handle = await ensureRedis({ cwd, probeUrl: await deadPort() });
    const redis = new Redis(handle.url, { maxRetriesPerRequest: 1 });
    await redis.set("k", "job data");
    await redis.call("BGREWRITEAOF");
    await waitFor(async () => String(await redis.info("persistence")).includes("aof_rewrite_in_progress:0"), 10_000);
    redis.disconnect();

    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const all = modes(dir);
    expect(all.some(([p]) => p.includes("appendonly"))).toBe(true);
    for (const [path, mode, isDir] of all) expect(mode.toString(8), path).toBe(isDir ? "700" : "600");
  });
});
