/** `scheduler status` as aligned text: one block per section, each a table or key: value lines. */
import { describePersistence } from "../../ops/redis-info.js";
import type { StatusReport } from "../../ops/status.js";
import { paint } from "../../log/color.js";
import { renderPairs, renderTable } from "./table.js";
import { formatAgo, formatBytes, formatDuration, formatWhen } from "./time.js";

/** `color`: failed counts above 0 in red (the caller decides, see log/color.ts useColor). */
export function renderStatus(r: StatusReport, o: { url: string; zone?: string; color?: boolean }): string {
  const red = (count: number) => (text: string) => paint(o.color === true && count > 0, "red", text);
  const queues = Object.entries(r.queues).map(([name, c]) => ({ name, ...c }));
  const n = (v: number) => String(v);
  const queueTable = renderTable(queues, [
    { header: "QUEUE", value: (q) => q.name },
    { header: "PENDING", value: (q) => n(q.pending), right: true },
    { header: "STARTED", value: (q) => n(q.started), right: true },
    { header: "SCHEDULED", value: (q) => n(q.scheduled), right: true },
    { header: "FAILED", value: (q) => n(q.failed), right: true, paint: (t, q) => red(q.failed)(t) },
    { header: "FINISHED", value: (q) => n(q.finished), right: true },
    { header: "CANCELED", value: (q) => n(q.canceled), right: true },
    { header: "DEFERRED", value: (q) => n(q.deferred), right: true },
  ]);
  const workers =
    r.workers.length === 0
      ? "  (no live workers: start them with `scheduler start` or `scheduler worker`)"
      : renderTable(r.workers, [
          { header: "WORKER", value: (w) => w.name },
          { header: "HOST", value: (w) => w.host },
          { header: "PID", value: (w) => String(w.pid), right: true },
          { header: "QUEUES", value: (w) => w.queues.join(",") },
          { header: "STATE", value: (w) => w.state },
          { header: "JOBS", value: (w) => (w.currentJobs.length ? w.currentJobs.join(",") : "-"), max: 40 },
          { header: "DONE", value: (w) => String(w.done), right: true },
          { header: "FAILED", value: (w) => String(w.failed), right: true, paint: (t, w) => red(w.failed)(t) },
          { header: "RSS", value: (w) => (w.rss !== undefined ? formatBytes(w.rss) : "-"), right: true },
          { header: "AGE", value: (w) => formatDuration(w.ageMs) },
          { header: "HEARTBEAT", value: (w) => `${formatDuration(w.sinceHeartbeatMs)} ago` },
        ]);
  const s = r.scheduler;
  const changed = s.changedAt ? ` (since ${formatWhen(s.changedAt, o.zone)}${s.by ? `, by ${s.by}` : ""})` : "";
  const scheduler = renderPairs(
    [
      ["leader", s.leader ? `${s.leader}${s.leaderTtlMs !== undefined ? ` (lease ${formatDuration(s.leaderTtlMs)} left)` : ""}` : "none (no scheduler daemon is running)"],
      ["state", `${s.state}${changed}`],
      ["last tick", s.lastTick ? `${formatWhen(s.lastTick, o.zone)} (${formatAgo(s.lastTick, r.at)})` : "not recorded"],
    ],
    "  ",
  );
  const redis = renderPairs(
    [
      ["url", o.url],
      ["prefix", `${r.prefix} (${r.keyLayout === "queue" ? "a hash tag per queue" : "one hash tag"})`],
      ["version", `${r.redis.version ?? "unknown"}${r.redis.mode && r.redis.mode !== "standalone" ? ` (${r.redis.mode})` : ""}`],
      r.masters
        ? ["memory", `${formatBytes(r.masters.reduce((sum, m) => sum + (m.usedMemory ?? 0), 0))} used over ${r.masters.length} masters`]
        : ["memory", r.redis.usedMemory !== undefined ? `${formatBytes(r.redis.usedMemory)} used${r.redis.maxMemory ? ` of ${formatBytes(r.redis.maxMemory)}` : ""}` : "unknown"],
      ["persistence", describePersistence(r.redis)],
    ],
    "  ",
  );
  const indent = (t: string) => t.split("\n").map((l) => `  ${l}`).join("\n");
  // A cluster: one line per master (src/ops/masters.ts), which one holds this installation.
  const masters = r.masters
    ? [
        ``,
        `Masters (${r.masters.length})`,
        indent(
          renderTable(r.masters, [
            { header: "MASTER", value: (m) => m.address },
            { header: "ROLE", value: (m) => (m.error ? "unreachable" : m.role) },
            { header: "MEMORY", value: (m) => (m.usedMemory !== undefined ? formatBytes(m.usedMemory) : "-"), right: true },
            { header: "KEYS", value: (m) => (m.keys !== undefined ? String(m.keys) : "-"), right: true },
            { header: "REPLICAS", value: (m) => (m.replicas !== undefined ? String(m.replicas) : "-"), right: true },
            { header: "HOLDS", value: (m) => m.error ?? (m.holds?.join(" ") || "-"), max: 60 },
          ]),
        ),
      ]
    : [];
  return [
    `Queues`,
    indent(queueTable),
    ``,
    `Workers (${r.workers.length})`,
    r.workers.length ? indent(workers) : workers,
    ``,
    `Scheduler`,
    scheduler,
    ``,
    `Redis`,
    redis,
    ...masters,
    ``,
  ].join("\n");
}
