// `muster backup`: a consistent online backup of the database muster uses,
// with its manifest. The file appears under its final name only once it is
// whole and on disk; the manifest is written last and marks it complete.
import { existsSync, mkdirSync, statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { AppError } from "../errors.js";
import type { DatabaseTarget } from "../store/database-url.js";
import { commitFile, removeQuietly, tempNameFor } from "./atomic-file.js";
import { postgresContents, sqliteContents } from "./contents.js";
import { type Contents, MANIFEST_FORMAT, type Manifest, sha256File, writeManifest } from "./manifest.js";
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
    const contents =
      options.target.provider === "sqlite"
        ? await backupSqlite(options.target.file, temp, options.sqliteMethod)
        : await backupPostgres(options.target.url, temp, options.pgDump ?? null);
    const { sha256, bytes } = await sha256File(temp);
    await options.beforeCommit?.();
    commitFile(temp, out);
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
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

/** Counts and checksum come from the copy itself: exactly what the backup holds. */
async function backupSqlite(source: string, temp: string, method?: SqliteCopyMethod): Promise<Contents> {
  if (!existsSync(source)) throw new AppError("not_found", `There is no database at ${source}.`);
  await copySqlite(source, temp, method);
  const copy = new Database(temp, { readonly: true, fileMustExist: true });
  try {
    return await sqliteContents(copy);
  } finally {
    copy.close();
  }
}

/**
 * pg_dump and the manifest read the same snapshot: a REPEATABLE READ
 * transaction exports it and pg_dump --snapshot imports it, so rows
 * committed meanwhile are in neither. The two run side by side.
 */
async function backupPostgres(url: string, temp: string, pgDump: string | null): Promise<Contents> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    const major = Math.floor(Number(rows[0]?.v) / 10_000);
    const binary = await findPgTool("pg_dump", major, { pgDump });
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const { rows: snap } = await client.query<{ s: string }>("SELECT pg_export_snapshot() AS s");
    const { dbname, env } = libpqTarget(url);
    const [contents] = await Promise.all([
      postgresContents(client),
      runPgTool(binary, ["--format=custom", `--snapshot=${snap[0]?.s}`, `--file=${temp}`, `--dbname=${dbname}`], env),
    ]);
    await client.query("COMMIT");
    return contents;
  } finally {
    await client.end().catch(() => undefined);
  }
}
