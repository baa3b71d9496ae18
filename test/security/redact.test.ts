/** The redaction list (src/security/redact.ts) and URL password masking (src/security/redact-url.ts). */
import { describe, expect, it } from "vitest";
import { DEFAULT_REDACT_KEYS, REDACTED, checkRedactKeys, redact } from "../../src/security/redact.js";
import { redactUrl, redactUrlsIn } from "../../src/security/redact-url.js";

describe("redact", () => {
  it("masks matching keys at any depth, in any spelling, and leaves the input alone", () => {
    const input = {
      user: "ann",
      password: "p1",
      nested: { apiKey: "k1", "X-Api-Key": "k2", list: [{ db_password_2: "p2", ok: 1 }], Authorization: "Bearer t" },
      stripe_secret_key: "s1",
      refreshToken: "t1",
    };
    const copy = JSON.parse(JSON.stringify(input));
    const out = redact(input);
    expect(out).toEqual({
      user: "ann",
      password: REDACTED,
      nested: { apiKey: REDACTED, "X-Api-Key": REDACTED, list: [{ db_password_2: REDACTED, ok: 1 }], Authorization: REDACTED },
      stripe_secret_key: REDACTED,
      refreshToken: REDACTED,
    });
    expect(input).toEqual(copy);
  });

  it("takes its own list, which replaces the default", () => {
    expect(redact({ pin: 1, password: "x" }, ["pin"])).toEqual({ pin: REDACTED, password: "x" });
    expect(DEFAULT_REDACT_KEYS).toEqual(expect.arrayContaining(["password", "secret", "token", "authorization", "api_key"]));
  });

  it("masks URL passwords inside any string value", () => {
    expect(redact({ dsn: "postgres://app:hunter2@db/x", note: ["see redis://:pw@h:6379/0"] })).toEqual({
      dsn: "postgres://app:***@db/x",
      note: ["see redis://:***@h:6379/0"],
    });
  });

  it("survives cycles and nesting past its depth limit", () => {
    const a: Record<string, unknown> = { token: "t" };
    a.self = a;
    expect(redact(a)).toEqual({ token: REDACTED, self: "[circular]" });
    let deep: Record<string, unknown> = { password: "x" };
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    expect(() => redact(deep)).not.toThrow();
  });

  it("leaves non-plain objects and primitives as they are", () => {
    const d = new Date(0);
    expect(redact({ at: d }).at).toBe(d);
    expect(redact(5)).toBe(5);
    expect(redact(null)).toBe(null);
  });

  it("checks a hooks list", () => {
    expect(checkRedactKeys(["pin", "ssn"])).toBeUndefined();
    expect(checkRedactKeys("pin")).toMatch(/must be a list of key names/);
    expect(checkRedactKeys(["pin", ""])).toMatch(/entry 1 is not a key name/);
  });
});

describe("redactUrl", () => {
  it.each([
    ["redis://:pw@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"],
    ["redis://user:pw@host:6379", "redis://user:***@host:6379"],
    ["redis://secret@host", "redis://***@host"],
    ["rediss://h:6380/0?password=pw&db=0", "rediss://h:6380/0?password=***&db=0"],
    ["redis://h/0?db=1&password=pw", "redis://h/0?db=1&password=***"],
    ["redis://h:6379", "redis://h:6379"],
    ["/var/run/redis.sock", "/var/run/redis.sock"],
    ["redis://[::1]:6379", "redis://[::1]:6379"],
  ])("%s -> %s", (input, output) => {
    expect(redactUrl(input)).toBe(output);
  });

  it("masks every URL in a message, and leaves usage texts readable", () => {
    expect(redactUrlsIn('cannot reach redis://a:b@h and "rediss://c@h2/1"')).toBe('cannot reach redis://a:***@h and "rediss://***@h2/1"');
    expect(redactUrlsIn("use redis://[:password@]host:port[/db]")).toBe("use redis://[:password@]host:port[/db]");
  });
});
