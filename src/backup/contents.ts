// What a database holds, as a manifest records it: row counts per table, the
// timeline checksum and the last migration. Read in pages, yielding between
// them, so a backup taken inside the bot never holds up Slack's requests.
import type BetterSqlite3 from "better-sqlite3";
import type pg from "pg";
import { TimelineHasher, type TimelineRow } from "./canonical.js";
import type { Contents } from "./manifest.js";

const PAGE = 20_000;
const MIGRATIONS_TABLE = "_prisma_migrations";
const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/** Call inside one read transaction, so every number comes from the same snapshot. */
export async function sqliteContents(db: BetterSqlite3.Database): Promise<Contents> {
  const names = (
    db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      .all() as { name: string }[]
  ).map((r) => r.name);
  const tables: Record<string, number> = {};
  for (const name of names) {
    if (name === MIGRATIONS_TABLE) continue;
    tables[name] = (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n;
  }
  const migration = names.includes(MIGRATIONS_TABLE)
    ? ((
        db
          .prepare(
            `SELECT migration_name AS m FROM "${MIGRATIONS_TABLE}" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name DESC LIMIT 1`,
          )
          .get() as { m: string } | undefined
      )?.m ?? null)
    : null;
  const hasher = new TimelineHasher();
  if (names.includes("TimelineEvent")) {
    const page = db.prepare(
      `SELECT id, incidentId, kind, actorId, visibility, at, data FROM "TimelineEvent" WHERE id > ? ORDER BY id LIMIT ${PAGE}`,
    );
    for (let after = 0; ; ) {
      const rows = page.all(after) as TimelineRow[];
      hasher.add(rows);
      if (rows.length < PAGE) break;
      after = hasher.lastId;
      await yieldToLoop();
    }
  }
  return { tables, migration, timeline: hasher.digest() };
}

/** Call inside one REPEATABLE READ transaction, so every number comes from the same snapshot. */
export async function postgresContents(client: pg.ClientBase): Promise<Contents> {
  const { rows: names } = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const tables: Record<string, number> = {};
  const all = names.map((r) => r.name);
  const counted = all.filter((n) => n !== MIGRATIONS_TABLE);
  if (counted.length) {
    const { rows } = await client.query<Record<string, string>>(
      `SELECT ${counted.map((n, i) => `(SELECT count(*) FROM "${n}") AS c${i}`).join(", ")}`,
    );
    counted.forEach((n, i) => {
      tables[n] = Number(rows[0]?.[`c${i}`]);
    });
  }
  let migration: string | null = null;
  if (all.includes(MIGRATIONS_TABLE)) {
    const { rows } = await client.query<{ m: string }>(
      `SELECT migration_name AS m FROM "${MIGRATIONS_TABLE}" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name DESC LIMIT 1`,
    );
    migration = rows[0]?.m ?? null;
  }
  const hasher = new TimelineHasher();
  if (all.includes("TimelineEvent")) {
    // The time as text in UTC: node-postgres would read a zoneless timestamp in local time.
    const sql = `SELECT id, "incidentId", kind, "actorId", visibility::text AS visibility,
        to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, data
      FROM "TimelineEvent" WHERE id > $1 ORDER BY id LIMIT ${PAGE}`;
    for (let after = 0; ; ) {
      const { rows } = await client.query<TimelineRow>({ text: sql, values: [after] });
      hasher.add(rows);
      if (rows.length < PAGE) break;
      after = hasher.lastId;
    }
  }
  return { tables, migration, timeline: hasher.digest() };
}
