// `muster restore-drill`: restores a backup into a scratch database, checks it
// against its manifest, migrates and opens it, records the drill in the real
// database and removes the scratch copy, whatever happened.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import type { DatabaseTarget } from "../store/database-url.js";
import type { Client } from "../store/db.js";
import { openStore } from "../store/open-store.js";
import { describeProblems, verifyTimeline } from "../store/verify-timeline.js";
import { type RestoreDrillRecord, recordDrill } from "./drill-record.js";
import { compareContents, readManifest } from "./manifest.js";
import { contentsOf, restoreInto } from "./restore.js";

export interface DrillOptions {
  /** The real database: where the scratch PostgreSQL database is made, and where the drill is recorded. */
  target: DatabaseTarget;
  db: Client;
  file: string;
  by: string;
  pgDump?: string | null;
  clock?: () => Date;
  /**
   * Also recompute every incident's hash chain in the restored copy (`muster
   * verify` on it): the manifest's checksum covers the chain heads, this
   * covers every event. About 6 µs an event.
   */
  deep?: boolean;
}

interface Scratch {
  target: DatabaseTarget;
  drop: () => Promise<void>;
}

export async function restoreDrill(options: DrillOptions): Promise<RestoreDrillRecord> {
  const clock = options.clock ?? (() => new Date());
  const file = resolve(options.file);
  const startedAt = clock();
  const t0 = performance.now();
  let manifestSha256 = "";
  let reason: string | null = null;
  let scratch: Scratch | null = null;
  try {
    const read = readManifest(file);
    manifestSha256 = read.sha256;
    const { manifest } = read;
    if (manifest.provider !== options.target.provider) {
      throw new Error(`it is a ${manifest.provider} backup and this muster runs on ${options.target.provider}`);
    }
    scratch = await scratchDatabase(options.target);
    await restoreInto(scratch.target, file, manifest, options.pgDump ?? null);
    const problems = compareContents(manifest, await contentsOf(scratch.target, manifest.format));
    if (problems.length) throw new Error(`the restored database does not match the manifest: ${problems.join("; ")}`);
    await opensAndReads(scratch.target, manifest.tables.Incident ?? 0);
    if (options.deep) {
      const report = await verifyTimeline(scratch.target);
      if (report.problems.length)
        throw new Error(`the restored timeline does not match its hash chains: ${describeProblems(report)}`);
    }
  } catch (e) {
    reason = e instanceof Error ? e.message : String(e);
  } finally {
    if (scratch) {
      await scratch.drop().catch((e: unknown) => {
        reason ??= `the scratch database could not be removed: ${e instanceof Error ? e.message : String(e)}`;
      });
    }
  }
  return recordDrill(options.db, {
    startedAt,
    finishedAt: clock(),
    by: options.by,
    backupFile: file,
    manifestSha256,
    durationMs: Math.round(performance.now() - t0),
    result: reason === null ? "passed" : "failed",
    reason,
  });
}

/** Migrates the restored copy to this muster's level, opens it as muster does and reads the latest incident. */
async function opensAndReads(target: DatabaseTarget, incidents: number): Promise<void> {
  const url = target.provider === "sqlite" ? `file:${target.file}` : target.url;
  const opened = await openStore(url, { poolSize: 2 });
  try {
    const [latest] = await opened.store.listIncidents({ limit: 1 });
    if (incidents > 0 && !latest) throw new Error("the restored database opens but lists no incident");
    if (latest && !(await opened.store.loadIncident(latest.key))) {
      throw new Error(`the restored database lists ${latest.key} but cannot load it`);
    }
  } finally {
    await opened.store.close();
  }
}

async function scratchDatabase(real: DatabaseTarget): Promise<Scratch> {
  if (real.provider === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "muster-drill-"));
    return {
      target: { provider: "sqlite", file: join(dir, "drill.db") },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `muster_drill_${randomBytes(6).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: real.url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  // template0: nothing a site added to template1 gets in the way of the restore.
  await admin(`CREATE DATABASE "${name}" TEMPLATE template0`);
  const u = new URL(real.url);
  u.pathname = `/${name}`;
  return {
    target: { provider: "postgresql", url: u.toString() },
    drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
