/**
 * H (hashed) cron fields across processes: two `scheduler list` runs (two processes, like two
 * daemons or a daemon before and after a restart) compute the same slots for each task, and two
 * tasks on the same `H 3 * * *` are not forced onto one minute by the expression alone.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/spawn.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

const HOOKS = fileURLToPath(new URL("../reliability/fixtures/app/hooks-hashed.ts", import.meta.url));
let t: TestRedis;

beforeAll(async () => {
  t = await testRedis("hashed-cron");
});
afterAll(async () => {
  await t.cleanup();
});

const listed = async () => {
  const r = await runCli(["list", "--hooks", HOOKS, "--redis", t.url, "--prefix", t.prefix, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as Array<{ id: string; expression: string; next: number[] }>).map(({ id, expression, next }) => ({ id, expression, next: next[0] }));
};

describe("H cron fields", () => {
  it("are the same in two processes, seeded by the task id", async () => {
    const [a, b] = await Promise.all([listed(), listed()]);
    expect(a).toEqual(b);
    expect(a.map((x) => x.id)).toEqual(["cron:H 3 * * *|app.tasks.tick", "cron:H 3 * * *|app.tasks.work", "cron:H H * * 1-5|app.tasks.tick"]);
    for (const x of a) expect(x.expression).not.toContain("H");
    expect(a[0]!.expression).toMatch(/^\d+ 3 \* \* \*$/);
    // Resolved from the seed, not drawn at random: a third process agrees too.
    expect(await listed()).toEqual(a);
  });
});
