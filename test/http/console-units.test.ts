// The console's pure parts: the bind rule, the same-origin rule, redaction, DST-named fire
// previews, and the percentile the charts compute from histogram buckets.
import { describe, expect, it } from "vitest";
import { checkBind, isLoopback, sameOrigin, sessionValue, tokenMatches } from "../../src/http/security.js";
import { previewFires } from "../../src/http/api/schedule-fires.js";
import { redact } from "../../src/security/redact.js";

/** The mask, as redact() writes it (the module owns its wording). */
const REDACTED = (redact({ password: "x" }) as { password: string }).password;
import { quantile } from "../../src/http/console/assets/charts.js";
import { loadAssets } from "../../src/http/console/assets.js";
import { shell } from "../../src/http/console/pages.js";

describe("bind and origin rules", () => {
  it("treats only loopback names and addresses as loopback", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"]) expect(isLoopback(h)).toBe(true);
    for (const h of ["0.0.0.0", "::", "", "10.0.0.1", "localhost.example.com", "128.0.0.1"]) expect(isLoopback(h)).toBe(false);
    expect(checkBind("", undefined)).toMatch(/^--http every address: /);
  });

  it("lets same-origin and non-browser writes through and refuses the rest", () => {
    expect(sameOrigin({ "sec-fetch-site": "same-origin" }, "127.0.0.1:7070")).toBe(true);
    expect(sameOrigin({}, "127.0.0.1:7070")).toBe(true);
    expect(sameOrigin({ origin: "http://127.0.0.1:7070" }, "127.0.0.1:7070")).toBe(true);
    expect(sameOrigin({ "sec-fetch-site": "same-site" }, "127.0.0.1:7070")).toBe(false);
    expect(sameOrigin({ "sec-fetch-site": "none" }, "127.0.0.1:7070")).toBe(false);
    expect(sameOrigin({ origin: "http://127.0.0.1:7071" }, "127.0.0.1:7070")).toBe(false);
    expect(sameOrigin({ origin: "null" }, "127.0.0.1:7070")).toBe(false);
    expect(sameOrigin({ origin: "not a url" }, "127.0.0.1:7070")).toBe(false);
  });

  it("derives the cookie from the token and compares in constant time", () => {
    expect(sessionValue("a")).not.toContain("a".repeat(2));
    expect(sessionValue("a")).toBe(sessionValue("a"));
    expect(tokenMatches("a", "a")).toBe(true);
    expect(tokenMatches("a", "b")).toBe(false);
    expect(tokenMatches("", "b")).toBe(false);
  });
});

describe("redact", () => {
  it("masks matching keys at any depth, case-insensitively, without touching the input", () => {
    const input = { user: "ann", DB_Password: "x", nested: [{ apiToken: "t", keep: 1 }], deep: { a: { secret_key: { inner: 1 } } } };
    expect(REDACTED).not.toBe("x");
    const out = redact(input, ["password", "token", "secret"]);
    expect(out).toEqual({ user: "ann", DB_Password: REDACTED, nested: [{ apiToken: REDACTED, keep: 1 }], deep: { a: { secret_key: REDACTED } } });
    expect(input.DB_Password).toBe("x");
    expect(redact("plain")).toBe("plain");
    expect(redact({ authorization: "Bearer x" })).toEqual({ authorization: REDACTED });
  });
});

describe("fire previews", () => {
  it("names the daylight-saving change before the first fire after it", () => {
    // 2026-03-29 is Berlin's spring-forward day; start two days before
    const from = Date.parse("2026-03-27T12:00:00Z");
    const fires = previewFires("0 9 * * *", "Europe/Berlin", from, 4);
    expect(fires.map((f) => f.offset)).toEqual(["+01:00", "+02:00", "+02:00", "+02:00"]);
    expect(fires.map((f) => f.dst)).toEqual([undefined, "DST: +01:00 -> +02:00", undefined, undefined]);
    expect(new Date(fires[1]!.at).toISOString()).toBe("2026-03-29T07:00:00.000Z");
  });
});

describe("percentiles from buckets", () => {
  it("interpolates inside the bucket holding the rank, as histogram_quantile does", () => {
    const bounds = [0.1, 0.5, 1, 5];
    expect(quantile(bounds, [0, 0, 0, 0, 0], 0.5)).toBeNull();
    expect(quantile(bounds, [10, 0, 0, 0, 0], 0.5)).toBeCloseTo(0.05);
    expect(quantile(bounds, [50, 50, 0, 0, 0], 0.75)).toBeCloseTo(0.3);
    expect(quantile(bounds, [0, 0, 0, 100, 0], 0.99)).toBeCloseTo(1 + 4 * 0.99);
    // past the last bound (the +Inf bucket) the answer is the last bound
    expect(quantile(bounds, [0, 0, 0, 0, 10], 0.5)).toBe(5);
  });
});

describe("assets", () => {
  it("ships every script the page loads from the package, under 300 KB of JavaScript in all", () => {
    const assets = loadAssets();
    const js = [...assets].filter(([path]) => /\.m?js$/.test(path));
    const bytes = js.reduce((n, [, a]) => n + a.body.length, 0);
    expect(bytes).toBeLessThan(300 * 1024);
    for (const needed of ["/assets/app.js", "/assets/vendor/preact.mjs", "/assets/vendor/preact-hooks.mjs", "/assets/vendor/htm.mjs", "/assets/vendor/uPlot.iife.min.js", "/assets/vendor/uPlot.min.css", "/assets/console.css"]) {
      expect(assets.has(needed), needed).toBe(true);
    }
    // every local reference of the shell is served, and nothing points off the machine
    const page = shell("n0nce", js.map(([path]) => path));
    for (const [, ref] of page.matchAll(/(?:src|href)="([^"]+)"/g)) expect(assets.has(ref!), ref).toBe(true);
    expect(page).not.toMatch(/https?:\/\//);
  });
});
