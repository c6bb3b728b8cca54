// Every backup's manifest, `FILE.manifest.json` beside it: what the backup
// holds (row counts, the timeline checksum, the migration level) and the
// SHA-256 of the file itself, so a restore can tell a damaged file before it
// writes anything.
import { createHash } from "node:crypto";
import { createReadStream, readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { AppError } from "../errors.js";
import { commitFile, tempNameFor } from "./atomic-file.js";

/**
 * The format names how the timeline checksum was made (contents.ts): 2
 * digests the hash-chain heads, 1 (backups from before the chain, or of a
 * database not yet migrated to it) hashes every event. Both restore.
 */
export const MANIFEST_FORMATS = ["muster-backup/1", "muster-backup/2"] as const;
export type ManifestFormat = (typeof MANIFEST_FORMATS)[number];
export const MANIFEST_FORMAT: ManifestFormat = "muster-backup/2";

const manifestSchema = z.object({
  format: z.enum(MANIFEST_FORMATS),
  musterVersion: z.string(),
  provider: z.enum(["sqlite", "postgresql"]),
  /** The last migration applied in the backed-up database. */
  migration: z.string().nullable(),
  /** The backup file's name (manifests travel with their file). */
  file: z.string(),
  fileBytes: z.number().int().nonnegative(),
  fileSha256: z.string().regex(/^[0-9a-f]{64}$/),
  tables: z.record(z.string(), z.number().int().nonnegative()),
  timeline: z.object({
    events: z.number().int().nonnegative(),
    lastId: z.number().int().nonnegative(),
    /** See contents.ts for the exact bytes hashed, which depend on the format. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  createdAt: z.string(),
  takenBy: z.string(),
});

export type Manifest = z.infer<typeof manifestSchema>;

/** What a database holds, as a manifest records it. */
export type Contents = Pick<Manifest, "tables" | "timeline" | "migration">;

export const manifestPathFor = (file: string) => `${file}.manifest.json`;

export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

export function writeManifest(file: string, manifest: Manifest): void {
  const path = manifestPathFor(file);
  const temp = tempNameFor(path);
  writeFileSync(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  commitFile(temp, path);
}

export function readManifest(file: string): { manifest: Manifest; sha256: string } {
  const path = manifestPathFor(file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new AppError("validation", `${file} has no manifest (${path}); muster restores only its own backups.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AppError("validation", `The manifest ${path} is not valid JSON; it is damaged.`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new AppError("validation", `The manifest ${path} is not a muster backup manifest.`);
  return { manifest: parsed.data, sha256: createHash("sha256").update(text).digest("hex") };
}

/** The file is the one the manifest describes, byte for byte; otherwise why not, in words. */
export async function verifyFile(file: string, manifest: Manifest): Promise<void> {
  let actual: { sha256: string; bytes: number };
  try {
    actual = await sha256File(file);
  } catch {
    throw new AppError("validation", `Cannot read the backup file ${file}.`);
  }
  if (actual.bytes !== manifest.fileBytes) {
    throw new AppError(
      "validation",
      `${file} is ${actual.bytes} bytes but its manifest says ${manifest.fileBytes}: the file is ${actual.bytes < manifest.fileBytes ? "truncated" : "not the one the manifest describes"}.`,
    );
  }
  if (actual.sha256 !== manifest.fileSha256) {
    throw new AppError("validation", `${file} does not match its manifest's SHA-256: the file is corrupted.`);
  }
}

/** Differences between what a database holds and what the manifest says it should; empty when they agree. */
export function compareContents(expected: Contents, actual: Contents): string[] {
  const problems: string[] = [];
  for (const [table, n] of Object.entries(expected.tables)) {
    const got = actual.tables[table];
    if (got === undefined) problems.push(`table ${table} is missing`);
    else if (got !== n) problems.push(`table ${table} has ${got} rows, the manifest says ${n}`);
  }
  if (actual.timeline.events !== expected.timeline.events || actual.timeline.sha256 !== expected.timeline.sha256) {
    problems.push(
      `the timeline checksum differs (${actual.timeline.events} events restored, ${expected.timeline.events} in the manifest)`,
    );
  }
  return problems;
}
