// The record of restore drills, in muster's own database. A passed drill is
// muster's production-restore test: the yearly duties read it through
// lastSuccessfulDrill.
import type { Client } from "../store/db.js";

export type DrillResult = "passed" | "failed";

export interface RestoreDrillRecord {
  id: number;
  startedAt: Date;
  finishedAt: Date;
  by: string;
  backupFile: string;
  manifestSha256: string;
  durationMs: number;
  result: DrillResult;
  reason: string | null;
}

export type NewRestoreDrill = Omit<RestoreDrillRecord, "id">;

export async function recordDrill(db: Client, drill: NewRestoreDrill): Promise<RestoreDrillRecord> {
  const row = await db.restoreDrill.create({ data: drill });
  return { ...row, result: row.result as DrillResult };
}

/** The latest drill that passed, or null: when muster's own restore was last shown to work. */
export async function lastSuccessfulDrill(db: Client): Promise<RestoreDrillRecord | null> {
  const row = await db.restoreDrill.findFirst({ where: { result: "passed" }, orderBy: { finishedAt: "desc" } });
  return row ? { ...row, result: "passed" } : null;
}

export async function recentDrills(db: Client, limit = 20): Promise<RestoreDrillRecord[]> {
  const rows = await db.restoreDrill.findMany({ orderBy: { finishedAt: "desc" }, take: limit });
  return rows.map((r) => ({ ...r, result: r.result as DrillResult }));
}

/** The yearly duties' view of it (DutyServiceDeps.lastRestoreDrill): a passed drill is the restore test done. */
export function lastDrillForDuties(db: Client): () => Promise<{ at: Date; by: string; backup: string } | null> {
  return async () => {
    const d = await lastSuccessfulDrill(db);
    return d ? { at: d.finishedAt, by: d.by, backup: d.backupFile.split("/").pop() ?? d.backupFile } : null;
  };
}
