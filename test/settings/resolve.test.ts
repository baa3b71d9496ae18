/** Config precedence (flag > env > hooks file > default) and the errors naming each source. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/base/errors.js";
import { resolveConfig } from "../../src/settings/resolve.js";
import { machineTimezone } from "../../src/config/defaults.js";
import type { HooksDefinition, LoadedHooks } from "../../src/hooks/types.js";

const FILE = join(process.cwd(), "app", "hooks.ts");
const hooks = (definition: HooksDefinition = {}): LoadedHooks => ({ file: FILE, definition, tasks: [] });

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("resolveConfig", () => {
  it("defaults when nothing is set", () => {
    const c = resolveConfig({ env: {}, hooks: hooks() });
    expect(c).toMatchObject({
      hooksFile: FILE,
      appRoot: join(process.cwd(), "app"),
      redisUrl: undefined,
      prefix: "hs",
      timezone: machineTimezone(),
      schedulerInterval: 60,
      logLevel: "info",
      retention: { finished: 600, failed: 604_800 },
      queues: {
        short: { timeout: 300, workers: 1, concurrency: 1 },
        default: { timeout: 300, workers: 1, concurrency: 1 },
        long: { timeout: 1500, workers: 1, concurrency: 1 },
      },
      sources: { redisUrl: "default", prefix: "default", timezone: "default", schedulerInterval: "default", logLevel: "default" },
    });
  });

  it("precedence: flag > env > hooks file > default, for every layered setting", () => {
    const file = hooks({ redis: "redis://hooks:6379", prefix: "fromhooks", timezone: "Asia/Tokyo", log_level: "warn", scheduler_interval: 30 });
    const env = { REDIS_URL: "redis://env:6379", SCHEDULER_PREFIX: "fromenv", SCHEDULER_TIMEZONE: "America/New_York", SCHEDULER_LOG_LEVEL: "debug" };
    const flags = { redis: "redis://flag:6379/3", prefix: "fromflag", timezone: "Europe/Paris", logLevel: "error" };

    const all = resolveConfig({ flags, env, hooks: file });
    expect([all.redisUrl, all.prefix, all.timezone, all.logLevel]).toEqual(["redis://flag:6379/3", "fromflag", "Europe/Paris", "error"]);
    expect(all.sources).toEqual({ redisUrl: "flag", prefix: "flag", timezone: "flag", logLevel: "flag", schedulerInterval: "hooks" });

    const noFlags = resolveConfig({ env, hooks: file });
    expect([noFlags.redisUrl, noFlags.prefix, noFlags.timezone, noFlags.logLevel]).toEqual(["redis://env:6379", "fromenv", "America/New_York", "debug"]);
    expect(noFlags.sources.redisUrl).toBe("env");

    const hooksOnly = resolveConfig({ env: {}, hooks: file });
    expect([hooksOnly.redisUrl, hooksOnly.prefix, hooksOnly.timezone, hooksOnly.logLevel, hooksOnly.schedulerInterval]).toEqual([
      "redis://hooks:6379",
      "fromhooks",
      "Asia/Tokyo",
      "warn",
      30,
    ]);
    expect(hooksOnly.sources.timezone).toBe("hooks");

    // An empty REDIS_URL counts as unset (an exported-but-empty variable must not win) ...
    const empty = resolveConfig({ env: { REDIS_URL: "" }, hooks: file });
    expect([empty.redisUrl, empty.prefix]).toEqual(["redis://hooks:6379", "fromhooks"]);
    // ... but an empty prefix or flag is refused: read as the default, `purge` would empty the default installation.
    expect(configError(() => resolveConfig({ env: { SCHEDULER_PREFIX: "" }, hooks: file })).message).toMatch(/^SCHEDULER_PREFIX: key prefix "" is not allowed/);
    expect(configError(() => resolveConfig({ flags: { prefix: "" }, env: {}, hooks: file })).message).toMatch(/^--prefix: key prefix "" is not allowed/);
    expect(configError(() => resolveConfig({ flags: { redis: "" }, env: {}, hooks: file })).message).toMatch(/^--redis: "" is not a Redis URL/);
  });

  it("TZ is the machine zone: below the hooks file, above the built-in default", () => {
    expect(resolveConfig({ env: { TZ: "Asia/Kolkata" }, hooks: hooks({ timezone: "Europe/Berlin" }) }).timezone).toBe("Europe/Berlin");
    const c = resolveConfig({ env: { TZ: "Asia/Kolkata" }, hooks: hooks() });
    expect([c.timezone, c.sources.timezone]).toEqual(["Asia/Kolkata", "env"]);
    // POSIX forms are left to Intl (the machine zone).
    expect(resolveConfig({ env: { TZ: ":/etc/localtime" }, hooks: hooks() }).timezone).toBe(machineTimezone());
  });

  it("errors name the source they came from", () => {
    expect(configError(() => resolveConfig({ flags: { redis: "localhost:6379" }, env: {}, hooks: hooks() })).message).toMatch(/^--redis: "localhost:6379" has scheme "localhost:"/);
    expect(configError(() => resolveConfig({ env: { REDIS_URL: "nope" }, hooks: hooks() })).message).toMatch(/^REDIS_URL: "nope" is not a Redis URL/);
    expect(configError(() => resolveConfig({ env: {}, hooks: hooks({ redis: "redis://h:1/x" }) })).message).toMatch(/^app\/hooks\.ts: redis: "redis:\/\/h:1\/x" names database "x"/);
    expect(configError(() => resolveConfig({ env: { SCHEDULER_TIMEZONE: "Berlin" }, hooks: hooks() })).message).toMatch(/^SCHEDULER_TIMEZONE: "Berlin" is not an IANA time zone/);
    expect(configError(() => resolveConfig({ flags: { prefix: "a:b" }, env: {}, hooks: hooks() })).message).toMatch(/^--prefix: key prefix "a:b" is not allowed/);
    expect(configError(() => resolveConfig({ env: { SCHEDULER_LOG_LEVEL: "chatty" }, hooks: hooks() })).message).toMatch(/^SCHEDULER_LOG_LEVEL: "chatty" is not a log level/);
    expect(configError(() => resolveConfig({ env: {}, hooks: hooks({ queues: { long: { timeout: -1 } } }) })).message).toBe(
      "app/hooks.ts: queues.long.timeout: -1 is not a number of seconds > 0",
    );
    expect(configError(() => resolveConfig({ env: {}, hooks: hooks({ scheduler_interval: 0 }) })).message).toMatch(/^app\/hooks\.ts: scheduler_interval: 0 is not a whole number/);
    expect(configError(() => resolveConfig({ env: {}, hooks: hooks({ retention: { failed: -3 } }) })).message).toMatch(/^app\/hooks\.ts: retention\.failed: -3/);
    expect(configError(() => resolveConfig({ env: {}, hooks: hooks({ queues: { long: { timout: 1 } as never } }) })).code).toBe("CONFIG_INVALID");
  });

  it("queues: built-ins overridden field by field, custom queues added with defaults", () => {
    const c = resolveConfig({
      env: {},
      hooks: hooks({ queues: { long: { timeout: 3600 }, mine: { timeout: 60, workers: 2, concurrency: 4 }, bare: {}, limited: { rateLimit: { max: 5, per: 60 } } } }),
    });
    expect(c.queues.long).toEqual({ timeout: 3600, workers: 1, concurrency: 1 });
    expect(c.queues.short).toEqual({ timeout: 300, workers: 1, concurrency: 1 });
    expect(c.queues.mine).toEqual({ timeout: 60, workers: 2, concurrency: 4 });
    expect(c.queues.bare).toEqual({ timeout: 300, workers: 1, concurrency: 1 });
    expect(c.queues.limited).toEqual({ timeout: 300, workers: 1, concurrency: 1, rateLimit: { max: 5, per: 60 } });
  });

  it("app_root resolves against the hooks file's folder; retention merges with defaults", () => {
    expect(resolveConfig({ env: {}, hooks: hooks({ app_root: "src" }) }).appRoot).toBe(join(process.cwd(), "app", "src"));
    expect(resolveConfig({ env: {}, hooks: hooks({ app_root: "/srv/app" }) }).appRoot).toBe("/srv/app");
    expect(resolveConfig({ env: {}, hooks: hooks({ retention: { finished: 60 } }) }).retention).toEqual({ finished: 60, failed: 604_800 });
  });
});
