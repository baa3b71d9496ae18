/**
 * The embedded default (README.md, "Two commands"): with no Redis configured and none answering on
 * 127.0.0.1:6379, the daemon runs its own `redis-server` with AOF persistence under
 * `<cwd>/.scheduler/redis/`, shared by every daemon of that folder and stopped by the last.
 *
 * The server runs detached in a session of its own (embedded-redis-launch.ts) so it outlives whichever owner started it while
 * others still use it. Ownership is tracked in files (embedded-redis-owners.ts); a server left
 * behind by a daemon that died is found through endpoint.json / redis.pid and reused.
 */
import { accessSync, constants as fsConstants } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { makePrivateDir, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, privatizeTree } from "./private-files.js";
import { delimiter, join } from "node:path";
import { Redis } from "ioredis";
import { RedisUnavailableError } from "../base/errors.js";
import { freePort } from "../base/free-port.js";
import { DEFAULT_REDIS_URL, redisAnswers } from "../redis/connection.js";
import { embeddedPaths, redisConf, urlFor, type EmbeddedPaths, type Listen } from "./embedded-redis-files.js";
import { launch } from "./embedded-redis-launch.js";
import { acquireLock, addOwner, liveOwners, pidAlive } from "./embedded-redis-owners.js";
import type { Logger } from "../log/logger.js";

export type EmbeddedLogger = Pick<Logger, "info" | "warn">;

export interface EnsureRedisOptions {
  /** --redis / REDIS_URL / hooks `redis`: used as is when set. */
  configuredUrl?: string;
  /** The folder whose `.scheduler/redis/` holds the embedded server. */
  cwd: string;
  logger?: EmbeddedLogger;
  /** Where a system Redis is looked for first (tests point it at a dead port). */
  probeUrl?: string;
  /** The binary, looked up on PATH unless it contains a slash. */
  redisServer?: string;
  /** PATH and friends for the lookup and the child (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** "port" forces TCP on 127.0.0.1 (for systems without unix sockets). */
  transport?: "auto" | "port";
  /** Bound on waiting for a starting or loading server to answer. */
  startTimeoutMs?: number;
  /** Directory for the fallback socket when the folder is too deep (default os.tmpdir()). */
  tmpDir?: string;
}

export interface RedisHandle {
  url: string;
  /** True when this is the folder's own redis-server. */
  embedded: boolean;
  /** True when this process is registered as an owner (stop() may shut the server down). */
  owned: boolean;
  /** True when this call started the server (false: configured, system, or reused). */
  started: boolean;
  /** pid of the embedded server, when embedded. */
  pid?: number;
  /** Leave; the last owner shuts the server down (SHUTDOWN flushes the AOF). Idempotent. */
  stop(): Promise<void>;
}

interface Endpoint {
  url: string;
  dir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function ensureRedis(options: EnsureRedisOptions): Promise<RedisHandle> {
  const noop = async () => {};
  if (options.configuredUrl) return { url: options.configuredUrl, embedded: false, owned: false, started: false, stop: noop };
  const probeUrl = options.probeUrl ?? DEFAULT_REDIS_URL;
  if (await redisAnswers(probeUrl)) {
    options.logger?.info(`using the Redis answering at ${probeUrl}`);
    return { url: probeUrl, embedded: false, owned: false, started: false, stop: noop };
  }
  const paths = embeddedPaths(options.cwd, { tmp: options.tmpDir, transport: options.transport });
  await makePrivateDir(paths.dir);
  await privatizeTree(paths.dir);
  await mkdir(paths.ownersDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const release = await acquireLock(paths.lockFile);
  let ownerFile: string | undefined;
  try {
    ownerFile = await addOwner(paths.ownersDir);
    const running = await runningServer(paths, options.startTimeoutMs ?? 10_000);
    const server = running ?? (await startServer(paths, options));
    if (running) options.logger?.info(`reusing the embedded Redis at ${running.url} (pid ${running.pid ?? "?"})`);
    else options.logger?.info(`started the embedded Redis at ${server.url} (pid ${server.pid ?? "?"}, AOF in ${paths.dir})`);
    const owner = ownerFile;
    let stopped: Promise<void> | undefined;
    return {
      url: server.url,
      embedded: true,
      owned: true,
      started: !running,
      pid: server.pid,
      stop: () => (stopped ??= leave(paths, owner, server.url, options.logger)),
    };
  } catch (err) {
    if (ownerFile) await rm(ownerFile, { force: true });
    throw err;
  } finally {
    await release();
  }
}

/** The URL of this folder's embedded server when one is running and answering, else undefined. */
export async function findEmbeddedRedis(cwd: string): Promise<string | undefined> {
  const paths = embeddedPaths(cwd);
  const endpoint = await readEndpoint(paths);
  if (!endpoint) return undefined;
  return (await serverDir(endpoint.url)) === paths.dir ? endpoint.url : undefined;
}

async function readEndpoint(paths: EmbeddedPaths): Promise<Endpoint | undefined> {
  try {
    return JSON.parse(await readFile(paths.endpointFile, "utf8")) as Endpoint;
  } catch {
    return undefined;
  }
}

async function readPid(paths: EmbeddedPaths): Promise<number | undefined> {
  const text = await readFile(paths.pidFile, "utf8").catch(() => "");
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The `dir` of the server at `url` (its identity: only ours has our data dir), or undefined. */
async function serverDir(url: string, timeoutMs = 500): Promise<string | undefined> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  redis.on("error", () => {});
  try {
    await redis.connect();
    const reply = (await redis.call("CONFIG", "GET", "dir")) as string[];
    return reply[1];
  } catch {
    return undefined;
  } finally {
    // On an ended client disconnect() arms a 2 s stream timer that holds the process open.
    if (redis.status !== "end") redis.disconnect();
  }
}

/**
 * The folder's server if one is running: answering at the recorded endpoint, or alive by its
 * pid file and given up to `timeoutMs` to answer (it may be loading a large AOF). Files left by a
 * dead server are removed so a fresh one can start.
 */
async function runningServer(paths: EmbeddedPaths, timeoutMs: number): Promise<{ url: string; pid?: number } | undefined> {
  const endpoint = await readEndpoint(paths);
  const pid = await readPid(paths);
  if (endpoint && (await serverDir(endpoint.url)) === paths.dir) return { url: endpoint.url, pid };
  if (endpoint && pid !== undefined && pidAlive(pid) && (await isRedisServer(pid))) {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if ((await serverDir(endpoint.url)) === paths.dir) return { url: endpoint.url, pid };
      await sleep(50);
    }
    throw new RedisUnavailableError(
      "EMBEDDED_REDIS_STUCK",
      `the embedded redis-server (pid ${pid}) of ${paths.dir} runs but does not answer at ${endpoint.url} within ${timeoutMs} ms`,
      { hint: `see ${paths.logFile}; stop that process (kill ${pid}) and start again` },
    );
  }
  // Nothing of ours runs: clear what a kill -9 left behind.
  await rm(paths.endpointFile, { force: true });
  await rm(paths.pidFile, { force: true });
  if (endpoint?.url.startsWith("unix://")) await rm(endpoint.url.slice("unix://".length), { force: true });
  return undefined;
}

/** Linux: check the command line, so a recycled pid of another program is not mistaken for ours. */
async function isRedisServer(pid: number): Promise<boolean> {
  if (process.platform !== "linux") return true;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => undefined);
  return cmdline === undefined ? false : cmdline.includes("redis-server");
}

/** The binary's absolute path, or undefined when it is not on PATH. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = name.includes("/") ? [name] : (env.PATH ?? "").split(delimiter).filter(Boolean).map((d) => join(d, name));
  return candidates.find((file) => {
    try {
      accessSync(file, fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

async function tail(file: string, lines = 5): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.split("\n").filter((l) => l.trim() !== "").slice(-lines).join(" | ");
}

async function startServer(paths: EmbeddedPaths, options: EnsureRedisOptions): Promise<{ url: string; pid?: number }> {
  const env = options.env ?? process.env;
  const bin = findExecutable(options.redisServer ?? "redis-server", env);
  if (!bin) {
    throw new RedisUnavailableError(
      "REDIS_SERVER_MISSING",
      `no Redis is configured, none answers at ${options.probeUrl ?? DEFAULT_REDIS_URL}, and ${options.redisServer ?? "redis-server"} is not on PATH to start an embedded one`,
      { hint: "install it (apt-get install redis-server, or brew install redis), or set --redis / REDIS_URL / hooks `redis`" },
    );
  }
  const listen: Listen = paths.socket ? { socket: paths.socket } : { port: await freePort() };
  const url = urlFor(listen);
  await writeFile(paths.conf, redisConf(paths, listen), { mode: PRIVATE_FILE_MODE });
  const server = launch(bin, paths, env);
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if ((await serverDir(url, 200)) === paths.dir) break;
    const exit = server.exit();
    if (exit !== undefined || performance.now() > deadline) {
      // Its pid is known from the spawn, so a server too slow to answer is never left running.
      if (exit === undefined && server.pid !== undefined) process.kill(server.pid, "SIGKILL");
      throw new RedisUnavailableError(
        "EMBEDDED_REDIS_FAILED",
        `the embedded redis-server ${exit !== undefined ? `exited (${exit})` : `did not answer within ${timeoutMs} ms`} at ${url}: ${await tail(paths.logFile)}`,
        { hint: `see ${paths.logFile}` },
      );
    }
    await sleep(20);
  }
  const endpoint: Endpoint = { url, dir: paths.dir };
  await writeFile(paths.endpointFile, JSON.stringify(endpoint), { mode: PRIVATE_FILE_MODE });
  return { url, pid: server.pid };
}

/** Deregister; when no live owner is left, SHUTDOWN the server and wait for its process to end. */
async function leave(paths: EmbeddedPaths, ownerFile: string, url: string, logger?: EmbeddedLogger): Promise<void> {
  const release = await acquireLock(paths.lockFile);
  try {
    await rm(ownerFile, { force: true });
    const others = await liveOwners(paths.ownersDir);
    if (others.length > 0) {
      logger?.info(`leaving the embedded Redis running for ${others.length} other owner(s)`);
      return;
    }
    const pid = await readPid(paths);
    const redis = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    redis.on("error", () => {});
    try {
      await redis.connect();
      // The server closes the connection as it exits, so the reply is an error by design.
      await redis.call("SHUTDOWN").catch(() => undefined);
    } catch {
      /* already gone */
    } finally {
      if (redis.status !== "end") redis.disconnect();
    }
    if (pid !== undefined) await waitForExit(pid, logger);
    await rm(paths.endpointFile, { force: true });
    if (url.startsWith("unix://")) await rm(url.slice("unix://".length), { force: true });
    logger?.info("stopped the embedded Redis (last owner)");
  } finally {
    await release();
  }
}

async function waitForExit(pid: number, logger?: EmbeddedLogger): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (pidAlive(pid)) {
    if (performance.now() > deadline) {
      logger?.warn(`embedded redis-server pid ${pid} ignored SHUTDOWN for 10 s; killing it`);
      process.kill(pid, "SIGKILL");
      return;
    }
    await sleep(20);
  }
}
