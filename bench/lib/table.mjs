// The printed table: one row per figure, hooks-scheduler beside each peer, its ratio to each,
// and the target where there is one. Rows come from run.mjs as
//   { section, label, unit, better: "higher" | "lower", hs, bull, bee, rq, target?: { op, value, vs? } }

/** The peers, in column order: the row field each one's figure is in, and its column heading. */
export const PEERS = [
  { key: "bull", name: "BullMQ", short: "BullMQ" },
  { key: "bee", name: "Bee-Queue", short: "Bee" },
  { key: "rq", name: "RQ", short: "RQ" },
];

const fmt = (v, unit) => {
  if (v === undefined || v === null || Number.isNaN(v)) return "-";
  if (unit === "ms") return v < 10 ? v.toFixed(2) : v.toFixed(1);
  if (unit === "%") return v.toFixed(2);
  if (unit === "MB") return v.toFixed(1);
  if (unit === "x") return v.toFixed(2);
  return Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(1);
};
const ratio = (a, b) => (a === undefined || b === undefined || !b || Number.isNaN(a) || Number.isNaN(b) ? undefined : a / b);

/** "met" / "MISSED" for a row's target; targets compare either the value or a ratio. */
export function verdict(row) {
  const t = row.target;
  if (!t) return "";
  const value = t.vs ? ratio(row.hs, row[t.vs]) : row.hs;
  if (value === undefined || Number.isNaN(value)) return `${t.text}: n/a`;
  const ok = t.op === ">=" ? value >= t.value : value < t.value;
  return `${t.text}: ${ok ? "met" : "MISSED"}`;
}

export function renderTable(rows) {
  const head = ["figure", "unit", "hooks-scheduler", ...PEERS.map((p) => p.name), ...PEERS.map((p) => `hs/${p.short}`), "target"];
  const numeric = (i) => i >= 2 && i < head.length - 1;
  const body = rows.map((r) => [
    r.label,
    `${r.unit}${r.better === "higher" ? " ↑" : r.better === "lower" ? " ↓" : ""}`,
    fmt(r.hs, r.unit),
    ...PEERS.map((p) => fmt(r[p.key], r.unit)),
    ...PEERS.map((p) => fmt(ratio(r.hs, r[p.key]), "x")),
    verdict(r),
  ]);
  // the first column also holds the section rows (**name**)
  const sections = rows.map((r) => `**${r.section}**`.length);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length), ...(i === 0 ? sections : [])));
  const line = (cells) => "| " + cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ") + " |";
  const out = [line(head), "|" + widths.map((w, i) => (numeric(i) ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|") + "|"];
  let section;
  for (const [i, r] of rows.entries()) {
    if (r.section !== section) {
      section = r.section;
      out.push(line([`**${section}**`, ...head.slice(1).map(() => "")]));
    }
    out.push(line(body[i]));
  }
  return out.join("\n");
}
