// What a database holds, as a manifest records it: row counts per table, the
// timeline checksum and the last migration.
//
// The timeline checksum depends on the manifest's format:
// - "muster-backup/2": a SHA-256 over the hash-chain heads
//   (src/store/timeline-chain.ts), one line per incident that has events, in
//   incident id order (byte order):
//
//     ["incidentId",length,"head as hex"]\n
//
//   Each head is itself the SHA-256 chain of that incident's events in id
//   order, so this digest commits to the whole timeline as it was appended;
//   whether the stored events still match their chains is `muster verify`'s
//   job (and `restore-drill --deep`'s). Reading it costs one row per
//   incident, not one per event.
// - "muster-backup/1": every event re-serialised and hashed (canonical.ts);
//   used for databases from before the chain, and to check old backups.
import { createHash } from "node:crypto";
import { type RawSql, storedEvents } from "../store/raw-sql.js";
import { TimelineHasher } from "./canonical.js";
import type { Contents, ManifestFormat } from "./manifest.js";

const MIGRATIONS_TABLE = "_prisma_migrations";

async function tableNames(sql: RawSql): Promise<string[]> {
  const rows = await sql.query<{ name: string }>(
    sql.provider === "sqlite"
      ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
      : `SELECT table_name AS name FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  return rows.map((r) => r.name);
}

/**
 * Call inside one read transaction (PostgreSQL: REPEATABLE READ), so every
 * number comes from the same snapshot.
 */
export async function databaseContents(sql: RawSql, format: ManifestFormat): Promise<Contents> {
  const names = await tableNames(sql);
  const counted = names.filter((n) => n !== MIGRATIONS_TABLE);
  const tables: Record<string, number> = {};
  if (counted.length) {
    // One statement: PostgreSQL counts them on one snapshot in one round trip.
    const [row] = await sql.query<Record<string, number | string>>(
      `SELECT ${counted.map((n, i) => `(SELECT count(*) FROM "${n}") AS c${i}`).join(", ")}`,
    );
    counted.forEach((n, i) => {
      tables[n] = Number(row?.[`c${i}`]);
    });
  }
  let migration: string | null = null;
  if (names.includes(MIGRATIONS_TABLE)) {
    const [row] = await sql.query<{ m: string }>(
      `SELECT migration_name AS m FROM "${MIGRATIONS_TABLE}" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name DESC LIMIT 1`,
    );
    migration = row?.m ?? null;
  }
  if (!names.includes("TimelineEvent")) return { tables, migration, timeline: new TimelineHasher().digest() };
  const timeline = format === "muster-backup/2" ? await headsDigest(sql) : await eventsDigest(sql);
  return { tables, migration, timeline };
}

async function headsDigest(sql: RawSql): Promise<Contents["timeline"]> {
  const order = sql.provider === "postgresql" ? `"id" COLLATE "C"` : `"id"`;
  const heads = await sql.query<{ id: string; timelineHead: Uint8Array | null; timelineLength: number }>(
    `SELECT "id", "timelineHead", "timelineLength" FROM "Incident" WHERE "timelineLength" > 0 ORDER BY ${order}`,
  );
  const hash = createHash("sha256");
  let events = 0;
  let text = "";
  for (const h of heads) {
    const length = Number(h.timelineLength);
    events += length;
    const head = h.timelineHead ? `"${Buffer.from(h.timelineHead).toString("hex")}"` : "null";
    text += `[${JSON.stringify(h.id)},${length},${head}]\n`;
    if (text.length > 1 << 16) {
      hash.update(text);
      text = "";
    }
  }
  hash.update(text);
  const [last] = await sql.query<{ id: number | null }>(`SELECT max("id") AS id FROM "TimelineEvent"`);
  return { events, lastId: Number(last?.id ?? 0), sha256: hash.digest("hex") };
}

async function eventsDigest(sql: RawSql): Promise<Contents["timeline"]> {
  const hasher = new TimelineHasher();
  for await (const page of storedEvents(sql, undefined, { withHash: false })) hasher.add(page);
  return hasher.digest();
}
