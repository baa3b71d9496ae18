/**
 * The README's setup end to end: an SDK loaded with NODE_OPTIONS="--import ..." in the process
 * that enqueues (`scheduler enqueue`) and in the daemon, whose worker processes inherit it. The
 * PRODUCER span of one process and the CONSUMER span of a worker child are one trace.
 */
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/spawn.js";
import { testRedis, waitFor } from "../helpers/redis.js";
import { FIXTURE_HOOKS, startDaemon, type Daemon } from "./helpers.js";

const t = await testRedis("http-trace-procs");
const dir = mkdtempSync(join(tmpdir(), "hs-otel-"));
const file = join(dir, "spans.jsonl");
const preload = fileURLToPath(new URL("./fixtures/otel-to-file.mjs", import.meta.url));

afterAll(async () => {
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

interface Exported {
  name: string;
  traceId: string;
  spanId: string;
  parent?: string;
  pid: number;
  attributes: Record<string, unknown>;
}
const exported = (): Exported[] => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Exported) : []);

describe("traces across processes", () => {
  it("enqueue in one process, run in a worker child: one trace", async () => {
    const env = { REDIS_URL: t.url, SCHEDULER_PREFIX: t.prefix, NODE_OPTIONS: `--import ${preload}`, OTEL_TEST_FILE: file };
    const daemon: Daemon = await startDaemon(["--no-scheduler", "--queue", "work"], env);
    try {
      const r = await runCli(["enqueue", "app.tasks.ok", "--queue", "work", "--hooks", FIXTURE_HOOKS], { env });
      expect(r.code).toBe(0);
      const run = await waitFor(() => exported().find((s) => s.name === "run app.tasks.ok"), 30_000, 100);
      const producer = exported().find((s) => s.name === "enqueue work")!;
      expect(producer).toBeDefined();
      expect(run!.traceId).toBe(producer.traceId);
      expect(run!.parent).toBe(producer.spanId);
      expect(run!.pid).not.toBe(producer.pid);
      expect(run!.pid).not.toBe(daemon.proc.pid);
      expect(run!.attributes["messaging.message.id"]).toBe(producer.attributes["messaging.message.id"]);
    } finally {
      await daemon.stop();
    }
  }, 60_000);
});
