// The console follows the hooks file on disk: a changed file (a deploy, an edit before SIGHUP)
// shows its new tasks on the next request; a broken one keeps the last good tasks and says so.
import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/settings/resolve.js";
import { loadHooks } from "../../src/hooks/load.js";
import { registerConsole } from "../../src/http/console/register.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

const hooksWith = (cron: string[]) => `export default { scheduler_events: { cron: { ${cron.map((c) => `"${c}": ["app.tasks.t"]`).join(", ")} } } };\n`;

describe("console hooks refresh", () => {
  let t: TestRedis;
  let dir: string;
  beforeAll(async () => {
    t = await testRedis("console-hooks-refresh");
    dir = await mkdtemp(join(tmpdir(), "hs-console-hooks-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await t.cleanup();
  });

  it("shows the new tasks after the file changes and keeps the last good ones when it breaks", async () => {
    const file = join(dir, "hooks.ts");
    await writeFile(file, hooksWith(["0 9 * * *"]));
    const config = resolveConfig({ flags: { redis: t.url, prefix: t.prefix }, env: {}, hooks: await loadHooks({ hooksPath: file }) });
    const app = Fastify();
    await registerConsole(app, { redis: t.redis, keys: t.keys, config, readOnly: true, clock: Date.now, role: "serve" });
    const schedules = async () => (await app.inject("/api/schedules")).json() as { tasks: Array<{ expression: string }> };
    try {
      expect((await schedules()).tasks.map((x) => x.expression)).toEqual(["0 9 * * *"]);
      // mtimes are set outright: two writes within the clock's resolution would look unchanged
      await writeFile(file, hooksWith(["0 9 * * *", "30 17 * * 5"]));
      await utimes(file, new Date(), new Date(Date.now() + 2000));
      expect((await schedules()).tasks.map((x) => x.expression)).toEqual(["0 9 * * *", "30 17 * * 5"]);
      await writeFile(file, "export default { scheduler_events: { cron: { \"not cron\": [\"app.tasks.t\"] } } };\n");
      await utimes(file, new Date(), new Date(Date.now() + 4000));
      expect((await schedules()).tasks.map((x) => x.expression)).toEqual(["0 9 * * *", "30 17 * * 5"]);
      const overview = (await app.inject("/api/overview")).json() as { warnings: string[] };
      expect(overview.warnings[0]).toMatch(/^the hooks file does not load \(.+\); showing its last good version$/);
    } finally {
      await app.close();
    }
  });
});
