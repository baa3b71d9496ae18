// The printed table: one row per figure, hooks-scheduler beside BullMQ and RQ, ratios to both,
// and the target where there is one. Rows come from run.mjs as
//   { section, label, unit, better: "higher" | "lower", hs, bull, rq, target?: { op, value, vs? } }

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
  const value = t.vs === "bull" ? ratio(row.hs, row.bull) : t.vs === "rq" ? ratio(row.hs, row.rq) : row.hs;
  if (value === undefined || Number.isNaN(value)) return `${t.text}: n/a`;
  const ok = t.op === ">=" ? value >= t.value : value < t.value;
  return `${t.text}: ${ok ? "met" : "MISSED"}`;
}

export function renderTable(rows) {
  const head = ["figure", "unit", "hooks-scheduler", "BullMQ", "RQ", "hs/BullMQ", "hs/RQ", "target"];
  const body = rows.map((r) => [
    r.label,
    `${r.unit}${r.better === "higher" ? " ↑" : r.better === "lower" ? " ↓" : ""}`,
    fmt(r.hs, r.unit),
    fmt(r.bull, r.unit),
    fmt(r.rq, r.unit),
    fmt(ratio(r.hs, r.bull), "x"),
    fmt(ratio(r.hs, r.rq), "x"),
    verdict(r),
  ]);
  // the first column also holds the section rows (**name**)
  const sections = rows.map((r) => `**${r.section}**`.length);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length), ...(i === 0 ? sections : [])));
  const line = (cells) => "| " + cells.map((c, i) => (i >= 2 && i <= 6 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ") + " |";
  const out = [line(head), "|" + widths.map((w, i) => (i >= 2 && i <= 6 ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|") + "|"];
  let section;
  for (const [i, r] of rows.entries()) {
    if (r.section !== section) {
      section = r.section;
      out.push(line([`**${section}**`, "", "", "", "", "", "", ""]));
    }
    out.push(line(body[i]));
  }
  return out.join("\n");
}
