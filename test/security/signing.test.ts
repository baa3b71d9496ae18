import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkSigning, signatureProblem, signJob } from "../../src/security/signing.js";
import { resolveConfig } from "../../src/settings/resolve.js";
import { validateHooks } from "../../src/hooks/validate.js";

const SECRET = "a-secret-of-enough-length";

describe("payload signing", () => {
  it("verifies its own signature and refuses any change of id, method or kwargs", () => {
    const triple = fc.record({ id: fc.string(), method: fc.string(), kwargs: fc.string() });
    fc.assert(
      fc.property(triple, triple, (a, b) => {
        const sig = signJob(SECRET, a);
        expect(signatureProblem(SECRET, a, sig)).toBeUndefined();
        const same = a.id === b.id && a.method === b.method && a.kwargs === b.kwargs;
        expect(signatureProblem(SECRET, b, sig) === undefined).toBe(same);
      }),
      { numRuns: 300 },
    );
  });

  it("length-prefixes the fields: moving a character between fields changes the signature", () => {
    expect(signJob(SECRET, { id: "a\n1:b", method: "c", kwargs: "{}" })).not.toBe(signJob(SECRET, { id: "a", method: "b\n1:c", kwargs: "{}" }));
  });

  it("says why a job is refused: unsigned, wrong, or not hex", () => {
    const f = { id: "1", method: "app.tasks.x", kwargs: "{}" };
    expect(signatureProblem(SECRET, f, undefined)).toMatch(/not signed/);
    expect(signatureProblem(SECRET, f, signJob("another-secret-entirely", f))).toMatch(/does not match/);
    expect(signatureProblem(SECRET, f, `${signJob(SECRET, f).slice(0, 62)}zz`)).toMatch(/does not match/);
  });

  it("validates hooks `signing` and SCHEDULER_SIGNING_SECRET with one line each", () => {
    expect(checkSigning({ secret: "short" })).toMatch(/at least 16 characters, got 5 characters/);
    expect(checkSigning({ secret: SECRET, extra: 1 })).toMatch(/unknown key "extra"/);
    expect(checkSigning("x")).toMatch(/must be an object/);
    expect(validateHooks({ signing: { secret: 3 } }, "/app/hooks.ts", { unknownKeys: "all" })[0]?.message).toMatch(/secret must be a string/);
    const hooks = { file: "/app/hooks.ts", definition: { signing: { secret: SECRET } }, tasks: [] };
    expect(resolveConfig({ hooks, env: {} }).signing).toEqual({ secret: SECRET });
    expect(resolveConfig({ hooks, env: { SCHEDULER_SIGNING_SECRET: "from-the-environment-1" } }).signing).toEqual({ secret: "from-the-environment-1" });
    expect(() => resolveConfig({ hooks, env: { SCHEDULER_SIGNING_SECRET: "tiny" } })).toThrow(/^SCHEDULER_SIGNING_SECRET: secret must be/);
    expect(resolveConfig({ hooks: { ...hooks, definition: {} }, env: {} }).signing).toBeUndefined();
  });
});
