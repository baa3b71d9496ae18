// Self time by function of a .cpuprofile (node --cpu-prof, or bench/job-lines.mjs
// BENCH_PROFILE_DIR), biggest first; given two, the difference a - b (what a spends more).
// Samples counted at the profile's usual interval (the median gap), not by the gap before each:
// on a loaded machine the thread is often descheduled, and that gap would be charged to
// whatever ran last (a syscall, a clock read) though it is not CPU.
//   node bench/lib/cpuprofile-self.mjs a.cpuprofile [b.cpuprofile] [top=30]
import { readFileSync } from "node:fs";

const files = process.argv.slice(2).filter((a) => a.endsWith(".cpuprofile"));
const top = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 30);

/** ms of self time per "function file:line". */
function selfTimes(file) {
  const p = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const gaps = [...p.timeDeltas].sort((x, y) => x - y);
  const interval = gaps[gaps.length >> 1] ?? 0;
  for (let i = 0; i < p.samples.length; i++) {
    const cf = byId.get(p.samples[i]).callFrame;
    const where = cf.url.replace(/^.*\/(node_modules|dist|src|bench)\//, "$1/");
    const key = `${cf.functionName || "(anon)"} ${where}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + interval / 1000);
  }
  self.delete("(idle) :0");
  return self;
}

const [a, b] = files.map(selfTimes);
const busy = (m) => [...m.values()].reduce((x, y) => x + y, 0);
console.log(files.map((f, i) => `${f}: busy ${busy([a, b][i]).toFixed(1)} ms`).join("; "));
const rows = [...new Set([...a.keys(), ...(b?.keys() ?? [])])].map((k) => [k, a.get(k) ?? 0, b?.get(k) ?? 0]);
for (const [k, x, y] of rows.sort((p, q) => q[1] - q[2] - (p[1] - p[2])).slice(0, top)) {
  console.log(b ? `${(x - y).toFixed(1).padStart(8)} ${x.toFixed(1).padStart(8)} ${y.toFixed(1).padStart(8)}  ${k}` : `${x.toFixed(1).padStart(8)}  ${k}`);
}
