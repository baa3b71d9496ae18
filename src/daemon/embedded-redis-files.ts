/**
 * Where the embedded Redis keeps its files, how it is reached, and the config it starts with.
 *
 * Layout under `<cwd>/.scheduler/redis/`:
 *   redis.conf      written on every start (so a changed layout never meets an old config)
 *   redis.pid       written by redis-server itself
 *   redis.sock      the unix socket, unless the path is too long (then one under os.tmpdir())
 *   redis.log       the server's own log: read it when the server will not start
 *   endpoint.json   the URL the running server answers on, for the next daemon and the CLI
 *   appendonly/     the AOF (appendonly yes, appendfsync everysec)
 *   owners/         one file per daemon using the server; the last one to leave stops it
 *   start.lock      held while a daemon starts, joins, or stops the server
 */
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface EmbeddedPaths {
  dir: string;
  conf: string;
  pidFile: string;
  logFile: string;
  endpointFile: string;
  ownersDir: string;
  lockFile: string;
  /** The socket to use, or undefined when no usable socket path exists (use a port). */
  socket: string | undefined;
}

/** sun_path is 108 bytes on Linux (104 on macOS) including the NUL; keep a margin. */
export const MAX_SOCKET_PATH = 100;

/**
 * Characters that survive both redis.conf and ioredis' URL parsing unescaped (a space or `#`
 * would become `%20` or a fragment and the client would look for a different file).
 */
const SOCKET_SAFE = /^[A-Za-z0-9/._\-+]+$/;

function usableSocket(path: string): boolean {
  return Buffer.byteLength(path) <= MAX_SOCKET_PATH && SOCKET_SAFE.test(path);
}

/** The socket path for a data dir: in the dir when short and plain, else a hashed one in tmpdir. */
export function chooseSocketPath(dir: string, tmp: string = tmpdir()): string | undefined {
  if (process.platform === "win32") return undefined;
  const local = join(dir, "redis.sock");
  if (usableSocket(local)) return local;
  const hash = createHash("sha256").update(dir).digest("hex").slice(0, 16);
  const fallback = join(tmp, `hs-redis-${hash}.sock`);
  return usableSocket(fallback) ? fallback : undefined;
}

export function embeddedPaths(cwd: string, options: { tmp?: string; transport?: "auto" | "port" } = {}): EmbeddedPaths {
  const dir = resolve(cwd, ".scheduler", "redis");
  return {
    dir,
    conf: join(dir, "redis.conf"),
    pidFile: join(dir, "redis.pid"),
    logFile: join(dir, "redis.log"),
    endpointFile: join(dir, "endpoint.json"),
    ownersDir: join(dir, "owners"),
    lockFile: join(dir, "start.lock"),
    socket: options.transport === "port" ? undefined : chooseSocketPath(dir, options.tmp),
  };
}

/** A value for redis.conf: double-quoted with backslash escapes, as the config parser reads it. */
function confValue(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export type Listen = { socket: string } | { port: number };

export function urlFor(listen: Listen): string {
  return "socket" in listen ? `unix://${listen.socket}` : `redis://127.0.0.1:${listen.port}`;
}

/** The whole config: AOF persistence, no RDB snapshots, loopback or socket only. */
export function redisConf(paths: EmbeddedPaths, listen: Listen): string {
  const lines = [
    "# Written by hooks-scheduler on every start of the embedded server; edits are overwritten.",
    "daemonize no",
    `pidfile ${confValue(paths.pidFile)}`,
    `logfile ${confValue(paths.logFile)}`,
    `dir ${confValue(paths.dir)}`,
    "appendonly yes",
    "appendfsync everysec",
    'appenddirname "appendonly"',
    // AOF is the persistence; RDB snapshots would only add fork pauses.
    'save ""',
    "protected-mode yes",
  ];
  if ("socket" in listen) {
    lines.push("port 0", `unixsocket ${confValue(listen.socket)}`, "unixsocketperm 700");
  } else {
    lines.push("bind 127.0.0.1", `port ${listen.port}`);
  }
  return `${lines.join("\n")}\n`;
}
