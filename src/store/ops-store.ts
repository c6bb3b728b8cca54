// What the operations endpoints ask the database: is it there, is its schema
// this muster's, how long is the outbox, how many incidents are open. Each is
// one small indexed query, cheap enough for every /readyz and /metrics scrape.
import type { DatabaseTarget } from "./database-url.js";
import type { Db } from "./db.js";
import { listMigrations } from "./migrate.js";
import { aggregateTime, sqlTime } from "./prisma-job-store.js";

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
  const ts = (n: number) => (provider === "postgresql" ? `$${n}::timestamp(3)` : "?");
  const queueSql = `SELECT
      (SELECT COUNT(*) FROM "Job" j WHERE j."status" = 'pending' AND j."runAt" <= ${ts(1)}) AS "due",
      (SELECT COUNT(*) FROM "Job" j WHERE j."status" = 'pending' AND j."runAt" > ${ts(2)}) AS "scheduled",
      (SELECT COUNT(*) FROM "Job" j WHERE j."status" = 'running') AS "running",
      (SELECT COUNT(*) FROM "Job" j WHERE j."status" = 'dead') AS "dead",
      (SELECT MIN(j."runAt") FROM "Job" j WHERE j."status" = 'pending' AND j."runAt" <= ${ts(3)}) AS "oldest"`;
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
      // One statement, each count an index-only walk of (status, runAt): a scrape is one round trip.
      const t = sqlTime(provider, now);
      const [r] = await db.$queryRawUnsafe<Record<string, unknown>[]>(queueSql, t, t, t);
      const oldest = aggregateTime((r?.oldest as Date | string | null) ?? null);
      const oldestDueAgeSeconds = oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0;
      const n = (v: unknown) => Number(v ?? 0);
      return {
        due: n(r?.due),
        scheduled: n(r?.scheduled),
        running: n(r?.running),
        dead: n(r?.dead),
        oldestDueAgeSeconds,
      };
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
