/** `scheduler purge` as a real process: --yes, the TTY question, the no-TTY refusal. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJobWith } from "../../src/queue/registry.js";
import { capture, runCli, spawnCliOnTty } from "../helpers/spawn.js";
import { waitFor } from "../helpers/redis.js";
import { seeder, type Seeder } from "../ops/fixture.js";

let s: Seeder;

beforeAll(async () => {
  s = await seeder("cli-purge");
});
afterAll(async () => {
  await s.t.cleanup();
});

const purge = (args: string[]) => runCli(["purge", ...args, ...s.flags], { cwd: "/" });

/** Run purge on a pseudo-terminal (util-linux `script`), answer its question, return the output. */
async function purgeOnTty(args: string[], answer: string): Promise<{ code: number | null; out: string }> {
  const child = spawnCliOnTty(["purge", ...args, ...s.flags]);
  const { stdout, closed } = capture(child);
  const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  try {
    await waitFor(() => stdout().includes("[y/N]"), 12_000);
    child.stdin!.write(`${answer}\n`);
    const code = await closed;
    return { code, out: stdout() };
  } finally {
    clearTimeout(killer);
    child.stdin!.destroy();
  }
}

describe("scheduler purge (process)", () => {
  it("without a TTY and without --yes: refuses with exit 2 and deletes nothing", async () => {
    const job = await s.queued("app.tasks.a", { queue: "short" });
    const r = await purge([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("scheduler: refusing to delete jobs without confirmation: stdin is not a terminal (pass --yes)\n");
    expect(await getJobWith(s.env, job.id)).not.toBeNull();
  });

  it("--yes deletes queued jobs of the filter, prints the count, leaves the rest", async () => {
    const keep = await s.queued("app.tasks.keep", { queue: "long" });
    const drop = [await s.queued("app.tasks.drop", { queue: "long" }), await s.queued("app.tasks.drop", { queue: "long" })];
    const failed = await s.failed("app.tasks.drop", { queue: "long" });
    const r = await purge(["--queue", "long", "--task", "app.tasks.drop", "--yes"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("purged 2 queued job(s) of app.tasks.drop in queue long (long: 2)\n");
    for (const j of drop) expect(await getJobWith(s.env, j.id)).toBeNull();
    expect(await getJobWith(s.env, keep.id)).not.toBeNull();
    expect((await getJobWith(s.env, failed.id))?.status).toBe("failed");

    const f = await purge(["--queue", "long", "--status", "failed", "--yes", "--json"]);
    expect(f.code).toBe(0);
    expect(JSON.parse(f.stdout)).toEqual({ purged: 1, queues: { long: 1 } });
    expect(await getJobWith(s.env, failed.id)).toBeNull();
  });

  it("bad --status, --status started and an unknown queue are refused", async () => {
    const bad = await purge(["--status", "gone", "--yes"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--status "gone" is not a job status');
    const started = await purge(["--status", "started", "--yes"]);
    expect(started.code).toBe(2);
    expect(started.stderr).toContain("running jobs are not purged");
    const q = await purge(["--queue", "nowhere", "--yes"]);
    expect(q.code).toBe(1);
    expect(q.stderr).toContain('no queue named "nowhere"');
  });

  it("on a TTY it asks: 'n' deletes nothing (exit 1), 'y' deletes", async () => {
    const a = await s.queued("app.tasks.tty", { queue: "default" });
    const b = await s.queued("app.tasks.tty", { queue: "default" });
    const no = await purgeOnTty(["--queue", "default", "--task", "app.tasks.tty"], "n");
    expect(no.out).toContain("delete 2 queued job(s) of app.tasks.tty in queue default? [y/N]");
    expect(no.out).toContain("purge canceled, nothing deleted");
    expect(no.code).toBe(1);
    expect(await getJobWith(s.env, a.id)).not.toBeNull();
    const yes = await purgeOnTty(["--queue", "default", "--task", "app.tasks.tty"], "y");
    expect(yes.out).toContain("purged 2 queued job(s) of app.tasks.tty in queue default (default: 2)");
    expect(yes.code).toBe(0);
    expect(await getJobWith(s.env, b.id)).toBeNull();
  });

  it("Redis down: exit 1 naming the URL", async () => {
    const r = await runCli(["purge", "--yes", "--redis", "redis://127.0.0.1:1", "--prefix", s.t.prefix]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^scheduler: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
