/**
 * Who started a process, for the leak guard (test/setup/no-leaked-processes.ts): the test whose
 * body, beforeEach or afterEach was running, else the file (beforeAll, afterAll, module top
 * level, or code inside ownedByFile). Every spawn of the test process carries the owner in its
 * environment as OWNER_VAR (test/setup/tag-spawns.ts); children inherit it, so a daemon's worker
 * or a daemonized redis-server is attributed to the test that started the daemon.
 *
 * The current test is an AsyncLocalStorage entered by the guard's aroundEach, not a global set in
 * beforeEach: the tests of a describe.concurrent block run side by side, and each async chain
 * keeps the test it began in.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { ChildProcess } from "node:child_process";

export const OWNER_VAR = "HOOKS_SCHEDULER_TEST_ID";

export interface Spawns {
  count: number;
  /**
   * The children it started, by handle: a process that rewrites its environment area (redis-server
   * sets its process title over it) no longer shows the owner in /proc, but is still one of these.
   */
  children: ChildProcess[];
}

interface OwnerState {
  als: AsyncLocalStorage<string>;
  fileOwner: string;
  /** owner -> its spawns so far: a test that spawned nothing skips the /proc scan. */
  spawns: Map<string, Spawns>;
}

// On globalThis: the setup files and a test file each import this module, and must share one state.
const KEY = Symbol.for("hooks-scheduler.test-owner");
const slot = globalThis as unknown as Record<symbol, OwnerState | undefined>;
const state: OwnerState = (slot[KEY] ??= { als: new AsyncLocalStorage<string>(), fileOwner: `file:${process.pid}`, spawns: new Map() });

/** The owner a spawn made now gets. */
export function currentOwner(): string {
  return state.als.getStore() ?? state.fileOwner;
}

/** The owner of what a test file starts outside its tests. */
export function fileOwner(): string {
  return state.fileOwner;
}

/** Called by the guard as a test file starts: what it starts outside its tests is this file's. */
export function setFileOwner(owner: string): void {
  state.fileOwner = owner;
}

/** The owner of what test `testId` starts. */
export function testOwner(testId: string): string {
  return `test:${testId}`;
}

/** Run `fn` (a test, with its beforeEach/afterEach) so that what it spawns is the test's. */
export function runAsTest<T>(testId: string, fn: () => T): T {
  return state.als.run(testOwner(testId), fn);
}

/**
 * For the rare test that starts a process on purpose for later tests or afterAll to stop: what
 * `fn` spawns belongs to the file and is checked after afterAll, not after this test. Prefer
 * starting it in beforeAll, or stopping it in the same test.
 */
export function ownedByFile<T>(fn: () => T): T {
  return state.als.run(state.fileOwner, fn);
}

export function countSpawn(owner: string, child?: unknown): void {
  const spawns = state.spawns.get(owner) ?? { count: 0, children: [] };
  spawns.count += 1;
  if (isChild(child)) spawns.children.push(child);
  state.spawns.set(owner, spawns);
}

function isChild(x: unknown): x is ChildProcess {
  return x !== null && typeof x === "object" && "pid" in x && "kill" in x;
}

/** The spawns `owner` made, and forget them (a retry of the test counts afresh). */
export function takeSpawns(owner: string): Spawns {
  const spawns = state.spawns.get(owner) ?? { count: 0, children: [] };
  state.spawns.delete(owner);
  return spawns;
}
