// The job hash's fields (src/queue/job-fields.ts) against the .lua scripts, which keep literal
// field names: every literal field of a job-hash HGET/HMGET/HSET/HSETNX/HINCRBY/HDEL/HEXISTS is
// in the table, and every field the codec reads or writes is too.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JOB_FIELDS } from "../../src/queue/job-fields.js";
import { decodeJob, encodeNewJob } from "../../src/queue/job-codec.js";
import { ROOT } from "../../scripts/contract-docs.js";

/** The arguments of the call that opens at `open` (just after its "("), split at top-level commas. */
function callArgs(text: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote = "";
  let start = open;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "(" || c === "{") depth++;
    else if ((c === ")" || c === "}") && depth > 0) depth--;
    else if (c === ")" || (c === "," && depth === 0)) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
      if (c === ")") return args;
    }
  }
  return args;
}

const FIELD_ARGS: Record<string, (n: number) => number[]> = {
  HGET: () => [2],
  HEXISTS: () => [2],
  HINCRBY: () => [2],
  HSETNX: () => [2],
  HSET: (n) => Array.from({ length: Math.floor((n - 2) / 2) }, (_, i) => 2 + 2 * i),
  HMGET: (n) => Array.from({ length: n - 2 }, (_, i) => 2 + i),
  HDEL: (n) => Array.from({ length: n - 2 }, (_, i) => 2 + i),
};

function luaJobFields(): { file: string; field: string }[] {
  const out: { file: string; field: string }[] = [];
  const dir = join(ROOT, "src", "redis", "lua");
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".lua"))) {
    const text = readFileSync(join(dir, name), "utf8");
    for (const m of text.matchAll(/redis\.call\(\s*"(HGET|HMGET|HSET|HSETNX|HINCRBY|HDEL|HEXISTS)"/g)) {
      const args = callArgs(text, m.index + m[0].indexOf("(") + 1);
      // the job hash: `jk` (every script's local for it) or key("job", id)
      if (args[1] !== "jk" && !args[1]!.startsWith('key("job"')) continue;
      for (const i of FIELD_ARGS[m[1]!]!(args.length)) {
        const lit = /^"([^"]*)"$/.exec(args[i] ?? "");
        if (lit) out.push({ file: name, field: lit[1]! });
      }
    }
  }
  return out;
}

describe("job hash fields", () => {
  it("every field the .lua scripts read or write on a job hash is in JOB_FIELDS", () => {
    const used = luaJobFields();
    expect(used.length).toBeGreaterThan(50);
    expect(used.filter((u) => !(u.field in JOB_FIELDS)).map((u) => `${u.file}: ${u.field}`)).toEqual([]);
  });

  it("every field the codec writes, and every field of a decoded job, is in JOB_FIELDS", () => {
    const written = encodeNewJob({
      id: "j", method: "a.b", queue: "q", kwargs: {}, timeout: 1, attempt: 0, createdAt: 1, stalls: 0, retries: 0,
      jobName: "n", task: "t", onFailure: "a.c", parentId: "p", retry: { max: 1, backoff: "fixed", delay: 1, jitter: 0 },
      scheduledFor: 1, catchup: true, backfill: true, atFront: true, dependsOn: ["d"], allowFailure: true,
    });
    expect(Object.keys(written).filter((k) => !(k in JOB_FIELDS))).toEqual([]);
    // decodeJob maps fields to job properties of the same name (all but the scripts' own)
    const all = Object.fromEntries(Object.keys(JOB_FIELDS).map((k) => [k, k === "status" ? "queued" : "1"]));
    const decoded = decodeJob(all, "j") as unknown as Record<string, unknown>;
    const dropped = Object.keys(JOB_FIELDS).filter((k) => k !== "takeProblem" && k !== "hasDependents" && decoded[k] === undefined);
    expect(dropped).toEqual([]);
  });
});
