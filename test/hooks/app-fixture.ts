/** Temporary app folders with real files, for loader tests. Removed by `cleanupApps()`. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const made: string[] = [];

/** A fresh folder holding `files` (path -> content); returns its absolute path. */
export async function makeApp(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "hs-app-"));
  made.push(root);
  await writeFiles(root, files);
  return root;
}

export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
  }
}

export async function cleanupApps(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** The repository root (this file is test/hooks/app-fixture.ts). */
export const REPO_ROOT = join(dirname(new URL(import.meta.url).pathname), "..", "..");
