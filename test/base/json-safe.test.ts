import { describe, expect, it } from "vitest";
import { DEFAULT_JSON_DEPTH, findNonJson, jsonProblem } from "../../src/base/json-safe.js";

describe("jsonProblem", () => {
  it("passes plain data", () => {
    expect(jsonProblem({ a: [1, "x", null, { b: true }], c: {} }, "kwargs")).toBeUndefined();
  });
  it("names the key path and the fix", () => {
    expect(jsonProblem({ items: [1, 2, 3, { when: new Date() }] }, "kwargs")).toBe(
      "kwargs.items[3].when: Date would arrive as a string; pass date.toISOString()",
    );
    expect(jsonProblem({ n: 10n }, "kwargs")).toContain("kwargs.n: BigInt");
    expect(jsonProblem({ f: () => 1 }, "kwargs")).toContain("kwargs.f: a function");
    expect(jsonProblem({ u: undefined }, "kwargs")).toContain("kwargs.u: undefined");
    expect(jsonProblem({ m: new Map() }, "kwargs")).toContain("kwargs.m: Map instance");
    expect(jsonProblem({ x: NaN }, "kwargs")).toContain("kwargs.x: NaN");
    expect(jsonProblem({ user: { z: -0 } }, "kwargs")).toBe("kwargs.user.z: -0 would arrive as 0; pass 0");
    expect(jsonProblem({ zero: 0 }, "kwargs")).toBeUndefined();
    expect(jsonProblem({ "odd key": [, 1] }, "kwargs")).toContain('kwargs["odd key"][0]: empty array slot');
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(jsonProblem(cyc, "kwargs")).toBe("kwargs.self: circular reference; pass a tree of plain data");
  });
  it("allows the same object twice when it is not a cycle", () => {
    const shared = { a: 1 };
    expect(jsonProblem({ x: shared, y: shared }, "kwargs")).toBeUndefined();
  });
});


describe("findNonJson: the rules hooks kwargs now share with enqueue kwargs", () => {
  it("gives the path and the reason apart", () => {
    expect(findNonJson({ when: new Date() }, "kwargs")).toEqual({ path: "kwargs.when", reason: "Date would arrive as a string; pass date.toISOString()" });
    expect(findNonJson({ a: [1, "x", null], b: { c: true } }, "kwargs")).toBeUndefined();
  });
  it("refuses what the looser hooks check let through", () => {
    expect(findNonJson({ z: -0 }, "kwargs")?.path).toBe("kwargs.z");
    expect(findNonJson({ [Symbol("s")]: 1 }, "kwargs")?.reason).toBe("symbol keys are dropped by JSON");
    const cyc: unknown[] = [];
    cyc.push(cyc);
    expect(findNonJson({ cyc }, "kwargs")?.reason).toMatch(/circular reference/);
  });
  it("accepts objects without a prototype", () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.a = 1;
    expect(findNonJson({ bare }, "kwargs")).toBeUndefined();
  });
  it("stops at the depth limit before the stack overflows", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5_000; i++) deep = { d: deep };
    expect(jsonProblem(deep, "kwargs")).toMatch(new RegExp(`nested deeper than ${DEFAULT_JSON_DEPTH} levels`));
    let shallow: unknown = 1;
    for (let i = 0; i < 3; i++) shallow = [shallow];
    expect(findNonJson(shallow, "kwargs", 3)).toBeUndefined();
    expect(findNonJson(shallow, "kwargs", 2)?.reason).toMatch(/nested deeper than 2 levels/);
  });
});
