// `muster restore FILE`: the manifest is checked against the file before
// anything is written; the target must be empty (or --force); after the
// restore the database is migrated to this muster's level and its contents
// are checked against the manifest again.
import { existsSync, mkdirSync } from "node:fs";
import { copyFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { AppError } from "../errors.js";
import type { DatabaseTarget } from "../store/database-url.js";
import { migrate } from "../store/migrate.js";
import { inSnapshot } from "../store/raw-sql.js";
import { commitFile, removeQuietly, tempNameFor } from "./atomic-file.js";
import { databaseContents } from "./contents.js";
import {
  type Contents,
  compareContents,
  MANIFEST_FORMAT,
  type Manifest,
  type ManifestFormat,
  readManifest,
  verifyFile,
} from "./manifest.js";
import { findPgTool, libpqTarget, restoreInOneTransaction, runPgTool } from "./pg-tools.js";

export interface RestoreOptions {
  target: DatabaseTarget;
  file: string;
  force?: boolean;
  pgDump?: string | null;
}

export interface RestoreResult {
  manifest: Manifest;
  /** Migrations applied after the restore (a backup from an older muster). */
  migrated: string[];
}

export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const file = resolve(options.file);
  const { manifest } = readManifest(file);
  const { target } = options;
  if (manifest.provider !== target.provider) {
    throw new AppError(
      "validation",
      `${file} is a ${manifest.provider === "sqlite" ? "SQLite" : "PostgreSQL"} backup; DATABASE_URL is ${target.provider === "sqlite" ? "SQLite" : "PostgreSQL"}.`,
    );
  }
  const rows = await rowsIn(target);
  if (rows > 0 && !options.force) {
    throw new AppError(
      "validation",
      `The database is not empty (${rows} rows); muster restores only into an empty one. Add --force to replace what it holds.`,
    );
  }
  await restoreInto(target, file, manifest, options.pgDump ?? null, { replacing: rows > 0 });
  const problems = compareContents(manifest, await contentsOf(target, manifest.format));
  if (problems.length)
    throw new AppError("validation", `The restored database does not match the manifest: ${problems.join("; ")}.`);
  const report = await migrate(target);
  return { manifest, migrated: report.applied };
}

/**
 * Writes the backup into the target, replacing whatever is there, once the
 * file is shown to be the one its manifest describes. SQLite: the file is
 * copied to a temporary name beside the database while it is hashed (side by
 * side: the copy runs on libuv's threads), and takes the database's name only
 * if the hash matches. PostgreSQL: hashed first, since pg_restore writes
 * straight into the database.
 */
export async function restoreInto(
  target: DatabaseTarget,
  file: string,
  manifest: Manifest,
  pgDump: string | null,
  o: { replacing?: boolean } = {},
): Promise<void> {
  if (target.provider === "sqlite") {
    const dest = target.file;
    mkdirSync(dirname(dest), { recursive: true });
    const temp = tempNameFor(dest);
    try {
      const copied = copyFile(file, temp).then(
        () => null,
        (e: unknown) => e,
      );
      await verifyFile(file, manifest);
      const failed = await copied;
      if (failed) throw failed;
      // A file that matches its manifest's hash but not its contents (the
      // manifest was rewritten) must not take the place of a database that
      // holds something.
      if (o.replacing) {
        const problems = await contentsOf({ provider: "sqlite", file: temp }, manifest.format).then(
          (held) => compareContents(manifest, held),
          (e: unknown) => [`it cannot be read: ${e instanceof Error ? e.message : String(e)}`],
        );
        if (problems.length)
          throw new AppError(
            "validation",
            `The backup does not hold what its manifest says (${problems.join("; ")}); the database was left as it was.`,
          );
      }
      // A log left by the old database would be replayed into the new one.
      removeQuietly(`${dest}-wal`);
      removeQuietly(`${dest}-shm`);
      removeQuietly(`${dest}-journal`);
      commitFile(temp, dest);
    } finally {
      removeQuietly(temp);
    }
    return;
  }
  await verifyFile(file, manifest);
  const major = await serverMajor(target.url);
  const binary = await findPgTool("pg_restore", major, { pgDump });
  const { dbname, env } = libpqTarget(target.url);
  const restoreArgs = ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error"];
  // Tables, types and functions of a newer muster than the backup's would be
  // left beside the restored ones, and the migrations would then fail on
  // them: the schema starts empty. When it holds rows (--force), emptying it
  // and restoring are one transaction, so a restore that fails half-way
  // leaves the database as it was rather than empty.
  const emptying = await emptySchemaSql(target.url);
  if (o.replacing) {
    const psql = await findPgTool("psql", major, { pgDump });
    await restoreInOneTransaction(binary, psql, { first: emptying, file, restoreArgs, dbname, env });
    return;
  }
  await runSql(target.url, `BEGIN; ${emptying} COMMIT;`);
  await runPgTool(binary, [...restoreArgs, "--single-transaction", `--dbname=${dbname}`, file], env);
}

/** The statements that leave the connection's schema empty, as its owner had it. */
async function emptySchemaSql(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ schema: string; owner: string }>(
      "SELECT current_schema() AS schema, nspowner::regrole::text AS owner FROM pg_namespace WHERE nspname = current_schema()",
    );
    const row = rows[0];
    if (!row) return "";
    const schema = client.escapeIdentifier(row.schema);
    return [
      `DROP SCHEMA ${schema} CASCADE;`,
      `CREATE SCHEMA ${schema} AUTHORIZATION ${row.owner};`,
      ...(row.schema === "public" ? ["GRANT USAGE ON SCHEMA public TO PUBLIC;"] : []),
    ].join(" ");
  } finally {
    await client.end();
  }
}

async function runSql(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function serverMajor(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    return Math.floor(Number(rows[0]?.v) / 10_000);
  } finally {
    await client.end();
  }
}

/** Rows in muster's tables (the migrations' own bookkeeping aside): 0 for a new or freshly migrated database. */
export async function rowsIn(target: DatabaseTarget): Promise<number> {
  if (target.provider === "sqlite") {
    if (!existsSync(target.file)) return 0;
    const db = new Database(target.file, { fileMustExist: true });
    try {
      const names = db
        .prepare(
          `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'`,
        )
        .all() as { name: string }[];
      let n = 0;
      for (const { name } of names) n += (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n;
      return n;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
    );
    if (!rows.length) return 0;
    const { rows: counts } = await client.query<{ n: string }>(
      `SELECT ${rows.map((r) => `(SELECT count(*) FROM "${r.name}")`).join(" + ")} AS n`,
    );
    return Number(counts[0]?.n);
  } finally {
    await client.end();
  }
}

/** The contents of a database as a manifest of this format would record them. */
export async function contentsOf(target: DatabaseTarget, format: ManifestFormat = MANIFEST_FORMAT): Promise<Contents> {
  return inSnapshot(target, (sql) => databaseContents(sql, format));
}
