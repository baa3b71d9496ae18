/** `scheduler enqueue` as a real process against real Redis, with a hooks app in a temp folder. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJobWith } from "../../src/queue/registry.js";
import { runCli } from "../helpers/spawn.js";
import { cleanupApps, makeApp } from "../hooks/app-fixture.js";
import { seeder, type Seeder } from "../ops/fixture.js";

let s: Seeder;
let app: string;
let badApp: string;

const HOOKS = `export default { scheduler_events: { daily: ["app.tasks.report"] }, queues: { short: { timeout: 30 }, default: { timeout: 300 }, mail: { timeout: 60 } } };\n`;
const TASKS = `export async function report() { return 1; }\nexport async function send_mail({ to }) { return to; }\n`;

beforeAll(async () => {
  s = await seeder("cli-enqueue");
  app = await makeApp({ "hooks.ts": HOOKS, "app/tasks.ts": TASKS });
  badApp = await makeApp({ "hooks.ts": `export default { scheduler_events: { daily: "app.tasks.report" } };\n`, "app/tasks.ts": TASKS });
});
afterAll(async () => {
  await s.t.cleanup();
  await cleanupApps();
});

const enqueue = (args: string[], cwd = app) => runCli(["enqueue", ...args, ...s.flags], { cwd });

describe.concurrent("scheduler enqueue (process)", () => {
  it("enqueues with key=value kwargs (JSON when valid, else strings) and prints the id", async () => {
    const r = await enqueue(["app.tasks.send_mail", "to=ann@example.com", "count=3", 'opts={"cc":["bob"]}', "flag=true"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const job = await getJobWith(s.env, id);
    expect(job).toMatchObject({ method: "app.tasks.send_mail", queue: "default", status: "queued" });
    expect(job?.kwargs).toEqual({ to: "ann@example.com", count: 3, opts: { cc: ["bob"] }, flag: true });
  });

  it("--kwargs JSON, --queue, --job-id, --delay and --json print the scheduled job", async () => {
    const r = await enqueue(["app.tasks.send_mail", "--kwargs", '{"to":"x"}', "--queue", "mail", "--job-id", "mail-1", "--delay", "10m", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as { id: string; status: string; queue: string; scheduledAt: number; timeout: number; kwargs: unknown };
    expect(printed).toMatchObject({ id: "mail-1", status: "scheduled", queue: "mail", timeout: 60, kwargs: { to: "x" } });
    expect(printed.scheduledAt - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(await s.t.redis.zscore(s.t.keys.scheduled("mail"), "mail-1")).not.toBeNull();
  });

  it("--deduplicate with --job-id keeps the live job (exit 0, a note on stderr); without --job-id it is a usage error", async () => {
    const first = await enqueue(["app.tasks.report", "n=1", "--job-id", "dedup-1", "--deduplicate"]);
    expect(first).toMatchObject({ code: 0, stdout: "dedup-1\n", stderr: "" });
    const again = await enqueue(["app.tasks.report", "n=2", "--job-id", "dedup-1", "--deduplicate"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe("dedup-1\n");
    expect(again.stderr).toBe("scheduler: job dedup-1 is already queued; nothing enqueued\n");
    expect((await getJobWith(s.env, "dedup-1"))?.kwargs).toEqual({ n: 1 });
    const json = JSON.parse((await enqueue(["app.tasks.report", "--job-id", "dedup-1", "--deduplicate", "--json"])).stdout) as { deduplicated?: boolean };
    expect(json.deduplicated).toBe(true);
    const taken = await enqueue(["app.tasks.report", "--job-id", "dedup-1"]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('job id "dedup-1" is taken by a queued job');
    const noId = await enqueue(["app.tasks.report", "--deduplicate"]);
    expect(noId.code).toBe(2);
    expect(noId.stderr).toMatch(/^scheduler: --deduplicate needs --job-id/);
  });

  it("bad --kwargs JSON: exit 2 with the position, nothing written", async () => {
    const r = await enqueue(["app.tasks.report", "--kwargs", '{"a": 1,, }', "--job-id", "never-1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^scheduler: --kwargs is not valid JSON at position 8: /);
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(await getJobWith(s.env, "never-1")).toBeNull();
  });

  it("a pair without = and a bad --delay are usage errors (exit 2)", async () => {
    const pair = await enqueue(["app.tasks.report", "oops"]);
    expect(pair.code).toBe(2);
    expect(pair.stderr).toContain('argument "oops" is not key=value');
    const delay = await enqueue(["app.tasks.report", "--delay", "soon"]);
    expect(delay.code).toBe(2);
    expect(delay.stderr).toContain('--delay "soon" is not a duration');
  });

  it("unknown task: exit 1 with the resolver's message naming the module and its exports", async () => {
    const r = await enqueue(["app.tasks.nope", "--job-id", "never-2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^scheduler: enqueue: app\.tasks\.nope does not resolve: .*does not export "nope"/);
    expect(r.stderr).toContain("report");
    expect(await getJobWith(s.env, "never-2")).toBeNull();
  });

  it("unknown queue: exit 1 naming the configured ones", async () => {
    const r = await enqueue(["app.tasks.report", "--queue", "nowhere"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown queue "nowhere"; configured: short, default, long, mail');
  });

  it("bad hooks: exit 1 naming the hooks file", async () => {
    const r = await enqueue(["app.tasks.report"], badApp);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^scheduler: .*hooks\.ts/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("Redis down: exit 1 naming the URL", async () => {
    const r = await runCli(["enqueue", "app.tasks.report", "--redis", "redis://127.0.0.1:1", "--prefix", s.t.prefix], { cwd: app });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^scheduler: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
