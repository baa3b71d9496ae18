/**
 * The embedded Redis's folder holds every job's kwargs and results (the AOF): only the user
 * running the daemon may read it. The folder is 0700, its files 0600, and redis-server runs
 * with umask 077 so the files it creates later (AOF rewrites, the log) are private from birth.
 */
import { chmod, lstat, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Create `dir` (and parents) and make it 0700, also when it already existed with a wider mode. */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE);
}

/**
 * Narrow what an older version left readable: folders 0700, regular files 0600, a few levels
 * deep (the AOF folder is one level down). Symlinks and sockets are left alone.
 */
export async function privatizeTree(dir: string, depth = 3): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const path = join(dir, name);
    const st = await lstat(path).catch(() => undefined);
    if (!st) continue;
    if (st.isDirectory()) {
      await chmod(path, PRIVATE_DIR_MODE).catch(() => {});
      if (depth > 1) await privatizeTree(path, depth - 1);
    } else if (st.isFile() && (st.mode & 0o077) !== 0) {
      await chmod(path, PRIVATE_FILE_MODE).catch(() => {});
    }
  }
}

/** `bin args...` run through /bin/sh with umask 077 (Node cannot set a child's umask itself). */
export function withPrivateUmask(bin: string, args: string[]): { command: string; args: string[] } {
  return { command: "/bin/sh", args: ["-c", 'umask 077 && exec "$0" "$@"', bin, ...args] };
}
