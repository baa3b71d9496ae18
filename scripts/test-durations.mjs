#!/usr/bin/env node
// Refreshes test/setup/file-durations.json (read by test/setup/slowest-first.ts) from the
// output of a whole `npm test` run (vitest's default reporter prints each file's time):
//   npm test 2>&1 | tee /tmp/run.log && node scripts/test-durations.mjs /tmp/run.log
// Run it after a green run of the whole suite; commit the table when files were added or their
// time moved a lot. Durations are rounded to 100 ms: only their order matters.
import { readFileSync, writeFileSync } from "node:fs";

const log = process.argv[2];
if (!log) {
  console.error("usage: node scripts/test-durations.mjs <output of npm test>");
  process.exit(2);
}
// eslint-disable-next-line no-control-regex
const text = readFileSync(log, "utf8").replace(/\x1b\[[0-9;]*m/g, "");
// " ✓ main test/queue/enqueue.redis.test.ts (12 tests) 539ms" (also "1.2s", and ❯/× for failures)
const line = /^\s*[✓❯×]\s+(\S+)\s+(test\/\S+\.test\.ts)\s+\(\d+ tests?[^)]*\)\s+([\d.]+)(ms|s)\s*$/gm;
const table = {};
for (const [, project, file, value, unit] of text.matchAll(line)) {
  table[`${project}:${file}`] = Math.round((Number(value) * (unit === "s" ? 1000 : 1)) / 100) * 100;
}
const files = Object.keys(table).length;
if (files === 0) {
  console.error(`scripts/test-durations.mjs: no file times found in ${log}; pass the output of a whole \`npm test\``);
  process.exit(1);
}
const sorted = Object.fromEntries(Object.entries(table).sort(([a], [b]) => (a < b ? -1 : 1)));
const out = new URL("../test/setup/file-durations.json", import.meta.url);
writeFileSync(out, JSON.stringify(sorted, null, 1) + "\n");
console.log(`test/setup/file-durations.json: ${files} files, from ${log}`);
