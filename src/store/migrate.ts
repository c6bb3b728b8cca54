// Applies prisma/migrations/<provider>/*/migration.sql in order, recording each
// in `_prisma_migrations` the way Prisma does, so `prisma migrate status` and
// muster agree. Prisma's own migrate commands cannot run here (DESIGN.md).
// Held under a lock so two muster processes starting together never both migrate.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { fillTimelineChains } from "./chain-backfill.js";
import type { DatabaseTarget } from "./database-url.js";
import { postgresSql, type RawSql, sqliteSql } from "./raw-sql.js";

// src/store or dist/store → the package root.
const MIGRATIONS_ROOT = fileURLToPath(new URL("../../prisma/migrations/", import.meta.url));

// Any constant works; it only has to be the same in every muster process.
const ADVISORY_LOCK_KEY = 7_263_548_113;

const CREATE_TABLE_SQLITE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

const CREATE_TABLE_PG = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/**
 * Work a migration's SQL cannot express (hashing, say), run right after that
 * migration's SQL in the same transaction, keyed by the migration's name.
 */
export const DATA_STEPS: Record<string, (sql: RawSql) => Promise<unknown>> = {
  "20261201044358_timeline_hash_chain": fillTimelineChains,
};

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

export function listMigrations(provider: DatabaseTarget["provider"], root = MIGRATIONS_ROOT): Migration[] {
  const dir = `${root}${provider}`;
  if (!existsSync(dir)) throw new Error(`No migrations folder at ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`${dir}/${d.name}/migration.sql`))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(`${dir}/${name}/migration.sql`, "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

class MigrationError extends Error {}

function checkApplied(applied: Map<string, string>, migrations: Migration[]): void {
  const known = new Set(migrations.map((m) => m.name));
  for (const [name, checksum] of applied) {
    if (!known.has(name)) {
      throw new MigrationError(
        `The database has migration ${name}, which this version of muster does not know: it was written by a newer muster. Upgrade muster instead of running an older one.`,
      );
    }
    const m = migrations.find((x) => x.name === name);
    if (m && m.checksum !== checksum) {
      throw new MigrationError(`Migration ${name} was edited after it was applied; restore the original file.`);
    }
  }
}

export async function migrate(
  target: DatabaseTarget,
  migrations = listMigrations(target.provider),
): Promise<MigrationReport> {
  return target.provider === "sqlite"
    ? migrateSqlite(target.file, migrations)
    : migratePostgres(target.url, migrations);
}

async function migrateSqlite(file: string, migrations: Migration[]): Promise<MigrationReport> {
  const db = new Database(file, { timeout: 15_000 });
  try {
    // WAL survives in the file; every later connection uses it.
    db.pragma("journal_mode = WAL");
    db.exec(CREATE_TABLE_SQLITE);
    // BEGIN IMMEDIATE takes SQLite's write lock: the other process waits (timeout above).
    db.exec("BEGIN IMMEDIATE");
    try {
      const rows = db
        .prepare(
          `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        )
        .all() as { migration_name: string; checksum: string }[];
      const applied = new Map(rows.map((r) => [r.migration_name, r.checksum]));
      checkApplied(applied, migrations);
      const todo = migrations.filter((m) => !applied.has(m.name));
      const insert = db.prepare(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)`,
      );
      for (const m of todo) {
        const started = new Date().toISOString();
        db.exec(m.sql);
        await DATA_STEPS[m.name]?.(sqliteSql(db));
        insert.run(randomUUID(), m.checksum, m.name, started, new Date().toISOString());
      }
      db.exec("COMMIT");
      return { applied: todo.map((m) => m.name), alreadyApplied: applied.size };
    } catch (e) {
      db.exec("ROLLBACK");
      throw e;
    }
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<MigrationReport> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);
    try {
      await client.query(CREATE_TABLE_PG);
      const { rows } = await client.query<{ migration_name: string; checksum: string }>(
        `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      const applied = new Map(rows.map((r) => [r.migration_name, r.checksum]));
      checkApplied(applied, migrations);
      const todo = migrations.filter((m) => !applied.has(m.name));
      for (const m of todo) {
        // PostgreSQL DDL is transactional: a migration applies whole or not at all.
        await client.query("BEGIN");
        try {
          const started = new Date();
          await client.query(m.sql);
          await DATA_STEPS[m.name]?.(postgresSql(client));
          await client.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES ($1, $2, $3, $4, now(), 1)`,
            [randomUUID(), m.checksum, m.name, started],
          );
          await client.query("COMMIT");
        } catch (e) {
          await client.query("ROLLBACK");
          throw e;
        }
      }
      return { applied: todo.map((m) => m.name), alreadyApplied: applied.size };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}
