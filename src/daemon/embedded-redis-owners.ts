/**
 * Who uses the embedded Redis of a folder: one small file per owner, and a lock file that makes
 * "start or join" and "leave and maybe stop" atomic between daemons of the same folder.
 *
 * Files (not keys inside the server) so ownership survives the server dying and needs no
 * connection; a file whose pid is gone (kill -9, OOM) is pruned by whoever looks next.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { mkdir, open, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SchedulerError } from "../base/errors.js";
import { systemClock } from "../base/clock.js";

/**
 * True when a process with this pid exists (EPERM: it exists but belongs to someone else). A
 * zombie counts as dead: in a container whose init does not reap, an exited daemon stays one.
 */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  if (process.platform !== "linux") return true;
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may hold spaces or parentheses, so cut at the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

interface OwnerRecord {
  pid: number;
  host: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A lock older than this is taken over even if its pid looks alive (pid reuse after a crash). */
const LOCK_STALE_MS = 60_000;

/**
 * Take the folder's lock file (O_EXCL create), waiting at most `timeoutMs` for a live holder.
 * Returns the release function.
 */
export async function acquireLock(lockFile: string, timeoutMs = 15_000): Promise<() => Promise<void>> {
  const token = `${process.pid} ${randomBytes(6).toString("hex")}`;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockFile, "wx", 0o600);
      await handle.writeFile(token);
      await handle.close();
      return async () => {
        // Only remove the lock if it is still ours (a stale-lock takeover may have replaced it).
        const now = await readFile(lockFile, "utf8").catch(() => "");
        if (now === token) await rm(lockFile, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = await readFile(lockFile, "utf8").catch(() => "");
    const holderPid = Number(holder.split(" ")[0]);
    const age = await stat(lockFile).then((s) => systemClock() - s.mtimeMs, () => 0);
    if ((holder !== "" && !pidAlive(holderPid)) || age > LOCK_STALE_MS) {
      await rm(lockFile, { force: true });
      continue;
    }
    if (performance.now() > deadline) {
      throw new SchedulerError(
        "EMBEDDED_REDIS_LOCKED",
        `the embedded Redis lock ${lockFile} is held by pid ${holder.split(" ")[0] || "?"} for over ${Math.round(timeoutMs / 1000)} s`,
        { hint: "another scheduler in this folder is starting or stopping Redis; if none is, delete the lock file" },
      );
    }
    await sleep(25);
  }
}

/** Register this process as an owner; returns the owner file's path. */
export async function addOwner(ownersDir: string): Promise<string> {
  await mkdir(ownersDir, { recursive: true });
  const file = join(ownersDir, `${process.pid}-${randomBytes(4).toString("hex")}.json`);
  const record: OwnerRecord = { pid: process.pid, host: hostname() };
  // Private like the rest of the embedded Redis's folder (src/daemon/private-files.ts).
  await writeFile(file, JSON.stringify(record), { mode: 0o600 });
  return file;
}

/**
 * Owner files whose process is alive; dead ones on this host are deleted. An owner on another
 * host (a folder shared over NFS) cannot be checked and counts as alive.
 */
export async function liveOwners(ownersDir: string): Promise<string[]> {
  const names = await readdir(ownersDir).catch(() => [] as string[]);
  const live: string[] = [];
  const here = hostname();
  for (const name of names) {
    const file = join(ownersDir, name);
    let record: OwnerRecord | undefined;
    try {
      record = JSON.parse(await readFile(file, "utf8")) as OwnerRecord;
    } catch {
      record = undefined; // half-written or foreign file: treat as dead
    }
    if (record && (record.host !== here || pidAlive(record.pid))) live.push(file);
    else await rm(file, { force: true });
  }
  return live;
}
