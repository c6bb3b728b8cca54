// `muster backup`: a consistent online backup of the database muster uses,
// with its manifest. The file appears under its final name only once it is
// whole and on disk; the manifest is written last and marks it complete.
import { existsSync, mkdirSync, statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { AppError } from "../errors.js";
import type { DatabaseTarget } from "../store/database-url.js";
import { keepsChains, postgresSql, sqliteSql } from "../store/raw-sql.js";
import { commitFile, removeQuietly, tempNameFor } from "./atomic-file.js";
import { databaseContents } from "./contents.js";
import {
  type Contents,
  MANIFEST_FORMAT,
  type Manifest,
  type ManifestFormat,
  sha256File,
  writeManifest,
} from "./manifest.js";
import { findPgTool, libpqTarget, runPgTool } from "./pg-tools.js";
import { copySqlite, type SqliteCopyMethod } from "./sqlite-copy.js";
import { MUSTER_VERSION } from "./version.js";

export interface BackupOptions {
  target: DatabaseTarget;
  out: string;
  takenBy: string;
  pgDump?: string | null;
  sqliteMethod?: SqliteCopyMethod;
  clock?: () => Date;
  /** Called once the copy is written, before it is named (crash tests stop the process here). */
  beforeCommit?: () => Promise<void>;
}

export interface BackupResult {
  file: string;
  manifest: Manifest;
}

export async function takeBackup(options: BackupOptions): Promise<BackupResult> {
  const out = resolve(options.out);
  if (existsSync(out) && statSync(out).isDirectory())
    throw new AppError("validation", `${out} is a directory; give the backup a file name.`);
  mkdirSync(dirname(out), { recursive: true });
  const temp = tempNameFor(out);
  const createdAt = (options.clock ?? (() => new Date()))();
  try {
    const { format, file, ...contents } =
      options.target.provider === "sqlite"
        ? await backupSqlite(options.target.file, temp, options.sqliteMethod)
        : await backupPostgres(options.target.url, temp, options.pgDump ?? null);
    const { sha256, bytes } = file;
    await options.beforeCommit?.();
    commitFile(temp, out);
    const manifest: Manifest = {
      format,
      musterVersion: MUSTER_VERSION,
      provider: options.target.provider,
      ...contents,
      file: basename(out),
      fileBytes: bytes,
      fileSha256: sha256,
      createdAt: createdAt.toISOString(),
      takenBy: options.takenBy,
    };
    writeManifest(out, manifest);
    return { file: out, manifest };
  } finally {
    removeQuietly(temp);
  }
}

/** What the manifest says about the copy: its contents, and the file's own hash. */
type Described = Contents & { format: ManifestFormat; file: { sha256: string; bytes: number } };

/** A database from before the hash chain gets a format-1 manifest (every event hashed). */
const formatFor = (chains: boolean): ManifestFormat => (chains ? MANIFEST_FORMAT : "muster-backup/1");

/**
 * Counts and checksum come from the copy itself: exactly what the backup
 * holds. They are read while the copy worker hashes the file.
 */
async function backupSqlite(source: string, temp: string, method?: SqliteCopyMethod): Promise<Described> {
  if (!existsSync(source)) throw new AppError("not_found", `There is no database at ${source}.`);
  const copying = copySqlite(source, temp, method);
  await copying.copied;
  const copy = new Database(temp, { readonly: true, fileMustExist: true });
  let described: Omit<Described, "file">;
  try {
    const sql = sqliteSql(copy);
    const format = formatFor(await keepsChains(sql));
    described = { format, ...(await databaseContents(sql, format)) };
  } finally {
    copy.close();
  }
  return { ...described, file: await copying.hashed };
}

/**
 * pg_dump and the manifest read the same snapshot: a REPEATABLE READ
 * transaction exports it and pg_dump --snapshot imports it, so rows
 * committed meanwhile are in neither. The two run side by side.
 */
async function backupPostgres(url: string, temp: string, pgDump: string | null): Promise<Described> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    const major = Math.floor(Number(rows[0]?.v) / 10_000);
    const binary = await findPgTool("pg_dump", major, { pgDump });
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const { rows: snap } = await client.query<{ s: string }>("SELECT pg_export_snapshot() AS s");
    const { dbname, env } = libpqTarget(url);
    const sql = postgresSql(client);
    const format = formatFor(await keepsChains(sql));
    const [contents] = await Promise.all([
      databaseContents(sql, format),
      runPgTool(binary, ["--format=custom", `--snapshot=${snap[0]?.s}`, `--file=${temp}`, `--dbname=${dbname}`], env),
    ]);
    await client.query("COMMIT");
    return { format, ...contents, file: await sha256File(temp) };
  } finally {
    await client.end().catch(() => undefined);
  }
}
