/** The one dotted-path check: isDottedPath (enqueue, job options) and parseDottedPath (hooks, loader) agree on shape. */
import { describe, expect, it } from "vitest";
import { isDottedPath, parseDottedPath } from "../../src/tasks/dotted-path.js";

const GOOD = ["my_app.tasks.send", "a.b", "$x._y.z9", "app.node_modules.x"];
const BAD = ["", "single", "a..b", ".a.b", "a.b.", "a/b.c", "a\\b.c", "1a.b", "a.b-c", "a. b", "a.b\n", 42, null, undefined, {}];

describe("dotted paths", () => {
  it("isDottedPath accepts identifiers joined by single dots, at least two", () => {
    for (const p of GOOD) expect(isDottedPath(p), String(p)).toBe(true);
    for (const p of BAD) expect(isDottedPath(p), JSON.stringify(p)).toBe(false);
  });

  it("parseDottedPath refuses every shape isDottedPath refuses, with a message", () => {
    for (const p of BAD) expect(typeof parseDottedPath(p), JSON.stringify(p)).toBe("string");
  });

  it("parseDottedPath accepts the same shapes, except a node_modules segment (a loadable path never has one)", () => {
    expect(parseDottedPath("my_app.tasks.send")).toEqual({ moduleSegments: ["my_app", "tasks"], exportName: "send" });
    expect(parseDottedPath("app.node_modules.x")).toMatch(/points into node_modules/);
  });
});
