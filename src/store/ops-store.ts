// What the operations endpoints ask the database: is it there, is its schema
// this muster's, how long is the outbox, how many incidents are open. Each is
// one small indexed query, cheap enough for every /readyz and /metrics scrape.
import type { DatabaseTarget } from "./database-url.js";
import type { Db } from "./db.js";
import { listMigrations } from "./migrate.js";

export interface QueueStats {
  /** Pending jobs whose time has come (what the worker should be running now). */
  due: number;
  /** Pending jobs due later: reminders and timers. */
  scheduled: number;
  running: number;
  dead: number;
  /** How late the oldest due job is, in seconds (0 when none is due). */
  oldestDueAgeSeconds: number;
}

export interface OpsStore {
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  /** Migrations this muster ships that the database has not applied (empty when current). */
  pendingMigrations(): Promise<string[]>;
  queue(now: Date): Promise<QueueStats>;
  /** Open incidents (investigating or mitigated) by severity. */
  openIncidentsBySeverity(): Promise<Record<string, number>>;
}

export function createOpsStore(db: Db, provider: DatabaseTarget["provider"]): OpsStore {
  // Read once: the files on disk do not change while the process runs.
  const shipped = listMigrations(provider).map((m) => m.name);
  return {
    async ping() {
      await db.$queryRawUnsafe("SELECT 1");
    },
    async pendingMigrations() {
      const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
        `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      const applied = new Set(rows.map((r) => r.migration_name));
      return shipped.filter((name) => !applied.has(name));
    },
    async queue(now) {
      // Each count walks the (status, runAt) index.
      const [due, scheduled, running, dead, oldest] = await Promise.all([
        db.job.count({ where: { status: "pending", runAt: { lte: now } } }),
        db.job.count({ where: { status: "pending", runAt: { gt: now } } }),
        db.job.count({ where: { status: "running" } }),
        db.job.count({ where: { status: "dead" } }),
        db.job.findFirst({
          where: { status: "pending", runAt: { lte: now } },
          orderBy: { runAt: "asc" },
          select: { runAt: true },
        }),
      ]);
      const oldestDueAgeSeconds = oldest ? Math.max(0, (now.getTime() - oldest.runAt.getTime()) / 1000) : 0;
      return { due, scheduled, running, dead, oldestDueAgeSeconds };
    },
    async openIncidentsBySeverity() {
      const rows = await db.incident.groupBy({
        by: ["severity"],
        where: { status: { in: ["investigating", "mitigated"] } },
        _count: { _all: true },
      });
      return Object.fromEntries(rows.map((r) => [r.severity, r._count._all]));
    },
  };
}
