/**
 * The embedded redis-server: real processes in temp folders, never the machine's 6379 (the probe
 * is pointed at a port nothing listens on). After each test no redis-server of ours may be left.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { deadPort, serversMatching } from "./helpers.js";
import { ensureRedis, findEmbeddedRedis, type RedisHandle } from "../../src/daemon/embedded-redis.js";
import { chooseSocketPath, embeddedPaths, MAX_SOCKET_PATH } from "../../src/daemon/embedded-redis-files.js";
import { pidAlive } from "../../src/daemon/embedded-redis-owners.js";
import { TEST_REDIS_URL, waitFor } from "../helpers/redis.js";

const folders: string[] = [];
const handles: RedisHandle[] = [];
const needles: string[] = [];

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "hs-emb-"));
  folders.push(dir);
  return dir;
}

async function ensure(cwd: string, probeUrl: string, extra: Partial<Parameters<typeof ensureRedis>[0]> = {}) {
  const handle = await ensureRedis({ cwd, probeUrl, ...extra });
  handles.push(handle);
  needles.push(handle.url.replace(/^unix:\/\//, "").replace(/^redis:\/\//, ""));
  return handle;
}

async function client(url: string): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  await redis.ping();
  return redis;
}

afterEach(async () => {
  for (const h of handles.splice(0)) await h.stop();
  const leftovers = needles.splice(0).flatMap(serversMatching);
  for (const pid of leftovers) process.kill(pid, "SIGKILL"); // never leave an orphan, even on failure
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
  expect(leftovers, "redis-server processes left running").toEqual([]);
});

describe("ensureRedis", () => {
  it("uses a configured URL as is and starts nothing", async () => {
    const cwd = folder();
    const handle = await ensureRedis({ cwd, configuredUrl: "redis://example.invalid:6380/2", probeUrl: await deadPort() });
    expect(handle).toMatchObject({ url: "redis://example.invalid:6380/2", embedded: false, owned: false });
    expect(existsSync(join(cwd, ".scheduler"))).toBe(false);
  });

  it("uses a Redis that answers at the probe URL instead of starting one", async () => {
    const cwd = folder();
    const handle = await ensureRedis({ cwd, probeUrl: TEST_REDIS_URL });
    expect(handle).toMatchObject({ url: TEST_REDIS_URL, embedded: false, started: false });
    expect(existsSync(join(cwd, ".scheduler"))).toBe(false);
  });

  it("starts redis-server with AOF on a socket of its own, shares it, and the last owner stops it", async () => {
    const cwd = folder();
    const probe = await deadPort();
    const first = await ensure(cwd, probe);
    const socket = join(cwd, ".scheduler", "redis", "redis.sock");
    expect(first).toMatchObject({ url: `unix://${socket}`, embedded: true, owned: true, started: true });
    expect(serversMatching(socket)).toEqual([first.pid]);

    const redis = await client(first.url);
    expect(await redis.call("CONFIG", "GET", "appendonly")).toEqual(["appendonly", "yes"]);
    expect(await redis.call("CONFIG", "GET", "appendfsync")).toEqual(["appendfsync", "everysec"]);
    expect(await redis.call("CONFIG", "GET", "port")).toEqual(["port", "0"]);
    await redis.set("survives", "restart");
    redis.disconnect();

    const second = await ensure(cwd, probe);
    expect(second).toMatchObject({ url: first.url, started: false, pid: first.pid });
    expect(await findEmbeddedRedis(cwd)).toBe(first.url);

    await first.stop();
    expect(serversMatching(socket)).toEqual([first.pid]); // the second owner still uses it
    await second.stop();
    expect(serversMatching(socket)).toEqual([]);
    expect(existsSync(socket)).toBe(false);
    expect(await findEmbeddedRedis(cwd)).toBeUndefined();
    expect(readdirSync(join(cwd, ".scheduler", "redis", "appendonly")).some((f) => f.endsWith(".aof"))).toBe(true);

    // SHUTDOWN flushed the AOF: the next server of the folder has the data.
    const third = await ensure(cwd, probe);
    expect(third.started).toBe(true);
    const again = await client(third.url);
    expect(await again.get("survives")).toBe("restart");
    again.disconnect();
  });

  it("two daemons starting at once in one folder get one server", async () => {
    const cwd = folder();
    const probe = await deadPort();
    const [a, b] = await Promise.all([ensure(cwd, probe), ensure(cwd, probe)]);
    expect(a!.pid).toBe(b!.pid);
    expect([a!.started, b!.started].sort()).toEqual([false, true]);
  });

  it("starts a fresh server when the old one was kill -9'd (stale socket and pid file)", async () => {
    const cwd = folder();
    const probe = await deadPort();
    const first = await ensure(cwd, probe);
    const paths = embeddedPaths(cwd);
    process.kill(first.pid!, "SIGKILL");
    await waitGone(first.pid!);
    expect(existsSync(paths.socket!)).toBe(true); // left behind, as after a crash
    expect(existsSync(paths.pidFile)).toBe(true);

    const second = await ensure(cwd, probe);
    expect(second.started).toBe(true);
    expect(second.pid).not.toBe(first.pid);
    const redis = await client(second.url);
    expect(await redis.ping()).toBe("PONG");
    redis.disconnect();
  });

  it("falls back to a socket under tmpdir when the folder is too deep for a unix socket", async () => {
    const base = folder();
    const cwd = join(base, "a-rather-long-folder-name-".repeat(4), "and-deeper");
    mkdirSync(cwd, { recursive: true });
    const local = join(cwd, ".scheduler", "redis", "redis.sock");
    expect(Buffer.byteLength(local)).toBeGreaterThan(MAX_SOCKET_PATH);
    const handle = await ensure(cwd, await deadPort());
    const socket = handle.url.replace("unix://", "");
    expect(socket.startsWith(tmpdir())).toBe(true);
    expect(socket).toBe(chooseSocketPath(join(cwd, ".scheduler", "redis")));
    const redis = await client(handle.url);
    expect(await redis.ping()).toBe("PONG");
    redis.disconnect();
  });

  it("listens on a loopback port when asked (no unix sockets)", async () => {
    const handle = await ensure(folder(), await deadPort(), { transport: "port" });
    expect(handle.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    const redis = await client(handle.url);
    expect(await redis.call("CONFIG", "GET", "appendonly")).toEqual(["appendonly", "yes"]);
    redis.disconnect();
  });

  it("reports a server that dies at start-up with the tail of its log (corrupt AOF manifest)", async () => {
    const cwd = folder();
    const aofDir = join(cwd, ".scheduler", "redis", "appendonly");
    mkdirSync(aofDir, { recursive: true });
    writeFileSync(join(aofDir, "appendonly.aof.manifest"), "garbage manifest\n");
    const started = performance.now();
    const err = await ensureRedis({ cwd, probeUrl: await deadPort() }).catch((e) => e);
    expect(performance.now() - started).toBeLessThan(5000); // noticed by its pid, not by the timeout
    expect(err.code).toBe("EMBEDDED_REDIS_FAILED");
    expect(err.toLine()).toMatch(/redis-server exited .*Invalid AOF manifest file format.*redis\.log/);
    expect(serversMatching(join(cwd, ".scheduler"))).toEqual([]);
  });

  it("kills a server that does not answer within the start bound, even before it wrote its pid file", async () => {
    const cwd = folder();
    // A redis-server that listens elsewhere and writes its pid file elsewhere: from the daemon's
    // side it never answers and never says its pid, as a server stalled under load would look.
    const elsewhere = join(cwd, "elsewhere");
    mkdirSync(elsewhere);
    const wrapper = join(cwd, "slow-redis-server");
    writeFileSync(
      wrapper,
      `#!/bin/sh\necho $$ > "${elsewhere}/wrapper.pid"\nexec redis-server "$@" --port 0 --unixsocket "${elsewhere}/r.sock" --pidfile "${elsewhere}/r.pid"\n`,
      { mode: 0o755 },
    );
    needles.push(`${elsewhere}/r.sock`);
    const err = await ensureRedis({ cwd, probeUrl: await deadPort(), redisServer: wrapper, startTimeoutMs: 1500 }).catch((e) => e);
    expect(err.code).toBe("EMBEDDED_REDIS_FAILED");
    expect(err.toLine()).toMatch(/did not answer within 1500 ms/);
    const pid = Number(readFileSync(join(elsewhere, "wrapper.pid"), "utf8"));
    await waitFor(() => !pidAlive(pid), 5000);
    expect(serversMatching(`${elsewhere}/r.sock`)).toEqual([]);
  });

  it("says how to install redis-server when it is not on PATH", async () => {
    const cwd = folder();
    const err = await ensureRedis({ cwd, probeUrl: await deadPort(), env: { PATH: join(cwd, "empty") } }).catch((e) => e);
    expect(err.code).toBe("REDIS_SERVER_MISSING");
    expect(err.toLine()).toMatch(/redis-server is not on PATH.*apt-get install redis-server.*brew install redis/);
    expect(readdirSync(join(cwd, ".scheduler", "redis", "owners"))).toEqual([]); // no owner left registered
  });
});

describe("chooseSocketPath", () => {
  it("keeps a short plain path, hashes long or URL-unsafe ones into tmpdir, and gives up when tmpdir is too deep", () => {
    expect(chooseSocketPath("/srv/app/.scheduler/redis", "/tmp")).toBe("/srv/app/.scheduler/redis/redis.sock");
    const spaced = chooseSocketPath("/srv/my app/.scheduler/redis", "/tmp")!;
    expect(spaced).toMatch(/^\/tmp\/hs-redis-[0-9a-f]{16}\.sock$/);
    expect(chooseSocketPath(`/srv/${"x".repeat(120)}`, "/tmp")).toMatch(/^\/tmp\/hs-redis-/);
    expect(chooseSocketPath(`/srv/${"x".repeat(120)}`, "/tmp")).not.toBe(chooseSocketPath(`/srv/${"y".repeat(120)}`, "/tmp"));
    expect(chooseSocketPath(`/srv/${"x".repeat(120)}`, `/${"t".repeat(100)}`)).toBeUndefined();
  });
});

async function waitGone(pid: number): Promise<void> {
  await waitFor(() => !pidAlive(pid), 5000);
}
