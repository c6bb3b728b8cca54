// Plain SQL on a driver connection (not Prisma), the same shape on both
// databases: for the work that walks whole tables — filling in and checking
// the timeline's hash chains — where Prisma's per-row cost would dominate.
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import type { DatabaseTarget } from "./database-url.js";
import type { Provider } from "./hot-reads.js";

export interface RawSql {
  provider: Provider;
  /** `?` placeholders on SQLite, `$n` on PostgreSQL. */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<void>;
}

export function sqliteSql(db: BetterSqlite3.Database): RawSql {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepared = (sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  return {
    provider: "sqlite",
    query: async <T>(sql: string, params: unknown[] = []) => prepared(sql).all(...params) as T[],
    run: async (sql: string, params: unknown[] = []) => {
      const s = prepared(sql);
      if (s.reader) s.all(...params);
      else s.run(...params);
    },
  };
}

export function postgresSql(client: pg.ClientBase): RawSql {
  return {
    provider: "postgresql",
    query: async <T>(sql: string, params: unknown[] = []) =>
      (await client.query({ text: sql, values: params })).rows as T[],
    run: async (sql: string, params: unknown[] = []) => {
      await client.query({ text: sql, values: params });
    },
  };
}

/**
 * Runs `read` on its own connection inside one read-only snapshot (a SQLite
 * read transaction; PostgreSQL REPEATABLE READ), so what it reads across
 * tables is consistent while muster writes on.
 */
export async function inSnapshot<T>(
  target: DatabaseTarget,
  read: (sql: RawSql) => Promise<T>,
  options: { readonly?: boolean } = {},
): Promise<T> {
  if (target.provider === "sqlite") {
    const db = new BetterSqlite3(target.file, { fileMustExist: true, readonly: options.readonly ?? false });
    try {
      db.exec("BEGIN");
      try {
        return await read(sqliteSql(db));
      } finally {
        db.exec("COMMIT");
      }
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const result = await read(postgresSql(client));
    await client.query("COMMIT");
    return result;
  } finally {
    await client.end();
  }
}

/** Whether the database keeps the timeline's hash chain (a migration added it). */
export async function keepsChains(sql: RawSql): Promise<boolean> {
  const rows = await sql.query<{ name: string }>(
    sql.provider === "sqlite"
      ? `SELECT name FROM pragma_table_info('Incident') WHERE name = 'timelineHead'`
      : `SELECT column_name AS name FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'Incident' AND column_name = 'timelineHead'`,
  );
  return rows.length > 0;
}

/** The timeline's columns as both databases give them: the time as UTC text, the data as its JSON text. */
export interface StoredEvent {
  id: number;
  incidentId: string;
  kind: string;
  actorId: string;
  visibility: string;
  at: string;
  data: string;
  hash: Uint8Array | null;
}

const PAGE = 20_000;
const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * Every event (or one incident's), in id order, a page at a time. `withHash:
 * false` for a database from before the chain (hash is then null).
 */
export async function* storedEvents(
  sql: RawSql,
  incidentId?: string,
  options: { withHash?: boolean } = {},
): AsyncGenerator<StoredEvent[]> {
  const pg = sql.provider === "postgresql";
  const hash = options.withHash === false ? `NULL AS "hash"` : `"hash"`;
  // node-postgres would read a zoneless timestamp in local time: the time comes as UTC text.
  const columns = pg
    ? `"id", "incidentId", "kind", "actorId", "visibility"::text AS "visibility",
       to_char("at", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "at", "data"::text AS "data", ${hash}`
    : `"id", "incidentId", "kind", "actorId", "visibility", "at", "data", ${hash}`;
  const where = pg
    ? `"id" > $1${incidentId ? ` AND "incidentId" = $2` : ""}`
    : `"id" > ?${incidentId ? ` AND "incidentId" = ?` : ""}`;
  const text = `SELECT ${columns} FROM "TimelineEvent" WHERE ${where} ORDER BY "id" LIMIT ${PAGE}`;
  for (let after = 0; ; ) {
    const rows = await sql.query<StoredEvent>(text, incidentId ? [after, incidentId] : [after]);
    if (rows.length) yield rows;
    if (rows.length < PAGE) return;
    after = Number(rows[rows.length - 1]?.id);
    // better-sqlite3 is synchronous: let the rest of the process breathe between pages.
    await yieldToLoop();
  }
}
