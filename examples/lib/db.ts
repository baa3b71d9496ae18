/**
 * Stands in for your database in these examples (an in-memory table of records with a status),
 * so the patterns can run and be tested anywhere. Replace with your ORM/SQL calls.
 */
export interface RecordRow {
  name: number;
  status: "Pending" | "Done";
}

const table = new Map<number, RecordRow>();

export const db = {
  seed(n: number): void {
    table.clear();
    for (let i = 1; i <= n; i++) table.set(i, { name: i, status: "Pending" });
  },
  /** SELECT * FROM records WHERE status = 'Pending' AND name > $after ORDER BY name LIMIT $limit */
  pendingAfter(after: number | undefined, limit: number): RecordRow[] {
    return [...table.values()].filter((r) => r.status === "Pending" && r.name > (after ?? 0)).sort((a, b) => a.name - b.name).slice(0, limit);
  },
  countPending(): number {
    return [...table.values()].filter((r) => r.status === "Pending").length;
  },
  markDone(name: number): void {
    const row = table.get(name);
    if (row) row.status = "Done";
  },
};
