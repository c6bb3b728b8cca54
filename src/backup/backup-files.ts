// Backups in BACKUP_DIR: the ones muster names itself, the latest one, and rotation.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "../errors.js";
import { removeQuietly } from "./atomic-file.js";
import { manifestPathFor, readManifest } from "./manifest.js";

const SCHEDULED = /^muster-(\d{8}T\d{6}Z)\.(db|dump)$/;

/** The name of a scheduled backup taken for the occurrence `at`; sorts by time. */
export function scheduledBackupName(provider: "sqlite" | "postgresql", at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  return `muster-${stamp}.${provider === "sqlite" ? "db" : "dump"}`;
}

/**
 * The newest backup in `dir` by its manifest's creation time (any backup with
 * a manifest counts, scheduled or made by hand with --out).
 */
export function latestBackup(dir: string): string {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    throw new AppError("not_found", `Cannot read the backup directory ${dir}.`);
  }
  let best: { file: string; at: string } | null = null;
  for (const name of entries) {
    if (!name.endsWith(".manifest.json") || name.startsWith(".")) continue;
    const file = join(dir, name.slice(0, -".manifest.json".length));
    let at: string;
    try {
      at = readManifest(file).manifest.createdAt;
    } catch {
      continue;
    }
    if (!best || at > best.at) best = { file, at };
  }
  if (!best) throw new AppError("not_found", `There is no backup with a manifest in ${dir}.`);
  return best.file;
}

/** Keeps the `keep` newest scheduled backups in `dir`; older ones go, with their manifests. */
export function rotateBackups(dir: string, keep: number): string[] {
  const scheduled = readdirSync(dir)
    .filter((n) => SCHEDULED.test(n))
    .sort()
    .reverse();
  const removed: string[] = [];
  for (const name of scheduled.slice(keep)) {
    const file = join(dir, name);
    // The manifest first: a backup without one is never taken for a whole one.
    removeQuietly(manifestPathFor(file));
    removeQuietly(file);
    removed.push(name);
  }
  return removed;
}

export const backupExists = (file: string) => existsSync(file) && existsSync(manifestPathFor(file));
