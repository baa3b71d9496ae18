/** The cluster and sentinel URL forms: parsed, refused with one line, passwords never shown. */
import { describe, expect, it } from "vitest";
import { checkHooksRedis, checkRedisUrl } from "../../src/redis/settings-checks.js";
import { durabilityOfUrl, stripDurability } from "../../src/redis/durability.js";
import { parseTopologyUrl, topologyObjectUrl } from "../../src/redis/redis-url.js";
import { redactUrl } from "../../src/security/redact-url.js";

describe("redis+cluster:// and redis+sentinel://", () => {
  it("reads a cluster host list, auth, TLS and durability", () => {
    const t = parseTopologyUrl("rediss+cluster://app:p%40ss@10.0.0.1:7000,10.0.0.2:7001,[::1]:7002?durability=replicated&servername=r.internal");
    expect(t).toMatchObject({
      kind: "cluster",
      tls: true,
      username: "app",
      password: "p@ss",
      durability: "replicated",
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "10.0.0.2", port: 7001 },
        { host: "::1", port: 7002 },
      ],
    });
  });

  it("reads sentinels, the master name and the database", () => {
    expect(parseTopologyUrl("redis+sentinel://:pw@s1:26379,s2:26380/mymaster/3?sentinelPassword=sp")).toMatchObject({
      kind: "sentinel",
      sentinels: [
        { host: "s1", port: 26379 },
        { host: "s2", port: 26380 },
      ],
      name: "mymaster",
      db: 3,
      password: "pw",
      sentinelPassword: "sp",
    });
  });

  it.each([
    ["redis+cluster://:secret@h1", "names no port"],
    ["redis+cluster://:secret@h1:7000,", "an empty host"],
    ["redis+cluster://:secret@h1:99999", "outside 1..65535"],
    ["redis+cluster://:secret@h1:7000/2", "only database 0"],
    ["redis+cluster://:secret@h1:7000?ca=/x.pem", "use rediss+cluster://"],
    ["redis+cluster://:secret@h1:7000?durability=maybe", '"replicated" or "none"'],
    ["redis+cluster://:secret@h1:7000?bogus=1", 'unknown option "bogus"'],
    ["redis+sentinel://:secret@s1:26379", "names no master"],
    ["redis+sentinel://:secret@s1:26379/m/x", "not a number"],
  ])("%s is refused with one line that names the problem, never the password", (url, problem) => {
    const message = checkRedisUrl(url)!;
    expect(message).toContain(problem);
    expect(message).not.toContain("secret");
    expect(message.split("\n")).toHaveLength(1);
  });

  it("masks every password form of the new schemes", () => {
    expect(redactUrl("redis+cluster://app:pw@h1:1,h2:2")).toBe("redis+cluster://app:***@h1:1,h2:2");
    expect(redactUrl("rediss+sentinel://pw@s1:1/m?sentinelPassword=sp")).toBe("rediss+sentinel://***@s1:1/m?sentinelPassword=***");
  });

  it("the hooks object form is checked and written as the URL it means", () => {
    expect(checkHooksRedis({ cluster: [{ host: "h", port: 7000 }], password: "pw", durability: "replicated" })).toBeUndefined();
    expect(checkHooksRedis({ sentinels: [{ host: "s", port: 26379 }] })).toContain("needs name");
    expect(checkHooksRedis({ cluster: [{ host: "h" }] })).toContain("cluster[0]");
    expect(checkHooksRedis({ cluster: [{ host: "h", port: 1 }], colour: 1 })).toContain('unknown key "colour"');
    expect(topologyObjectUrl({ cluster: [{ host: "h", port: 7000 }, { host: "::1", port: 7001 }], password: "p@ss", tls: true, durability: "replicated" })).toBe(
      "rediss+cluster://:p%40ss@h:7000,[::1]:7001?durability=replicated",
    );
    expect(topologyObjectUrl({ sentinels: [{ host: "s", port: 26379 }], name: "mymaster", db: 2 })).toBe("redis+sentinel://s:26379/mymaster/2");
  });

  it("?durability= is read from any form and kept away from ioredis", () => {
    expect(durabilityOfUrl("redis://h:6379/2?durability=replicated")).toBe("replicated");
    expect(durabilityOfUrl("redis://h:6379/2")).toBe("none");
    expect(stripDurability("redis://h:6379/2?durability=replicated")).toBe("redis://h:6379/2");
    expect(stripDurability("rediss://h:6380/2?durability=replicated&ca=/x")).toBe("rediss://h:6380/2?ca=%2Fx");
    expect(checkRedisUrl("redis://h:6379?durability=sometimes")).toContain('"replicated" or "none"');
  });
});
