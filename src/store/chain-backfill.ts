// Fills in the timeline's hash chains (timeline-chain.ts) for events written
// before muster kept them: run by the migration that added the columns, in
// its transaction. Events are read in id order once; each incident's chain is
// carried in memory (32 bytes an incident) and the hashes written a page at a
// time. The timeline is append-only (a trigger refuses updates), so the
// triggers are set aside for the fill and put back as they were.
import type { RawSql } from "./raw-sql.js";
import { storedEvents } from "./raw-sql.js";
import type { ChainHead } from "./timeline-append.js";
import { chainLine, nextHash } from "./timeline-chain.js";

export interface FillReport {
  events: number;
  incidents: number;
}

export async function fillTimelineChains(sql: RawSql): Promise<FillReport> {
  const restoreTriggers = await setTriggersAside(sql);
  const heads = new Map<string, ChainHead>();
  let events = 0;
  for await (const page of storedEvents(sql)) {
    const ids: number[] = [];
    const hashes: Buffer[] = [];
    for (const e of page) {
      const before = heads.get(e.incidentId);
      const hash = nextHash(before?.head ?? null, chainLine(e));
      heads.set(e.incidentId, { head: hash, length: (before?.length ?? 0) + 1 });
      ids.push(Number(e.id));
      hashes.push(hash);
    }
    await writeHashes(sql, ids, hashes);
    events += page.length;
  }
  await writeHeads(sql, heads);
  await restoreTriggers();
  return { events, incidents: heads.size };
}

async function setTriggersAside(sql: RawSql): Promise<() => Promise<void>> {
  if (sql.provider === "postgresql") {
    await sql.run(`ALTER TABLE "TimelineEvent" DISABLE TRIGGER USER`);
    return () => sql.run(`ALTER TABLE "TimelineEvent" ENABLE TRIGGER USER`);
  }
  // SQLite cannot disable a trigger: each is dropped and made again from its own SQL.
  const triggers = await sql.query<{ name: string; sql: string }>(
    `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'TimelineEvent'`,
  );
  for (const t of triggers) await sql.run(`DROP TRIGGER "${t.name.replaceAll('"', '""')}"`);
  return async () => {
    for (const t of triggers) await sql.run(t.sql);
  };
}

async function writeHashes(sql: RawSql, ids: number[], hashes: Buffer[]): Promise<void> {
  if (sql.provider === "postgresql") {
    await sql.run(
      `UPDATE "TimelineEvent" AS e SET "hash" = v.hash
       FROM unnest($1::int[], $2::bytea[]) AS v(id, hash) WHERE e."id" = v.id`,
      [ids, hashes],
    );
    return;
  }
  for (let i = 0; i < ids.length; i++)
    await sql.run(`UPDATE "TimelineEvent" SET "hash" = ? WHERE "id" = ?`, [hashes[i], ids[i]]);
}

async function writeHeads(sql: RawSql, heads: Map<string, ChainHead>): Promise<void> {
  await sql.run(`UPDATE "Incident" SET "timelineHead" = NULL, "timelineLength" = 0`);
  const entries = [...heads];
  if (sql.provider === "postgresql") {
    for (let i = 0; i < entries.length; i += 10_000) {
      const batch = entries.slice(i, i + 10_000);
      await sql.run(
        `UPDATE "Incident" AS i SET "timelineHead" = v.head, "timelineLength" = v.length
         FROM unnest($1::text[], $2::bytea[], $3::int[]) AS v(id, head, length) WHERE i."id" = v.id`,
        [batch.map(([id]) => id), batch.map(([, h]) => h.head), batch.map(([, h]) => h.length)],
      );
    }
    return;
  }
  for (const [id, h] of entries)
    await sql.run(`UPDATE "Incident" SET "timelineHead" = ?, "timelineLength" = ? WHERE "id" = ?`, [
      h.head,
      h.length,
      id,
    ]);
}
