/**
 * vitest setupFiles: a test that leaves a process it started running (a CLI, a daemon's worker,
 * a redis-server) fails, naming the leaked command line; the leftover is then killed so it
 * cannot disturb the next test. Linux /proc only; elsewhere the guard does nothing.
 *
 * Per test: every spawn carries its owner in its environment (test/setup/tag-spawns.ts,
 * test/helpers/test-owner.ts), so after a test (its afterEach hooks included) only the processes
 * carrying that test's id are its own, even while the other tests of a describe.concurrent
 * block still run theirs. Per file: what beforeAll, module top level or ownedByFile() started
 * carries the file's id and is checked once the file's afterAll hooks have run, as is anything
 * else this test process started (a descendant, or a process carrying its marker).
 */
import { afterAll, aroundEach, beforeAll, expect } from "vitest";
import { HAS_PROC } from "../helpers/processes.js";
import { failOnLeft, leftRunning, MARKER, ours, ownedBy, type Proc } from "../helpers/leak-check.js";
import { runAsTest, setFileOwner, takeSpawns, testOwner } from "../helpers/test-owner.js";
import { tagSpawns } from "./tag-spawns.js";

if (HAS_PROC) {
  process.env[MARKER] = String(process.pid);
  setFileOwner(`file:${process.pid}:${expect.getState().testPath ?? "?"}`);
  tagSpawns({ [MARKER]: String(process.pid) });

  let beforeFile = new Map<string, Proc>();
  beforeAll(() => {
    beforeFile = ours();
  });
  // Around the test's beforeEach, body and afterEach: what they start is the test's, and is
  // checked after them. Cheap when the test spawned nothing: no /proc scan.
  aroundEach(async (runTest, context) => {
    const id = context.task.id;
    await runAsTest(id, runTest);
    const owner = testOwner(id);
    const spawns = takeSpawns(owner);
    if (spawns.count === 0) return;
    failOnLeft(await leftRunning(() => ownedBy(owner, spawns.children)), `this test ("${context.task.name}")`);
  });
  // Registered first, so vitest runs this after the file's own afterAll hooks.
  afterAll(async () => {
    failOnLeft(await leftRunning(ours, beforeFile), "this file (its beforeAll/afterAll, or ownedByFile())");
  });
}
