// Opens the database named by DATABASE_URL with the matching generated client
// and driver adapter, after applying pending migrations.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import type { IncidentStore } from "../incidents/ports.js";
import { type DatabaseTarget, targetFor } from "./database-url.js";
import type { Db } from "./db.js";
import { type MigrationReport, migrate } from "./migrate.js";
import { coalescingSocket, statementNames } from "./pg-connection.js";
import { createPrismaStore } from "./prisma-store.js";
import { BUSY_TIMEOUT_MS, beginsOnlyOnce, shareSqliteConnection } from "./sqlite-connection.js";
import { reusePreparedStatements } from "./sqlite-statements.js";

export interface OpenedStore {
  store: IncidentStore;
  db: Db;
  target: DatabaseTarget;
  migrations: MigrationReport;
}

export interface OpenStoreOptions {
  /** PostgreSQL connections per process. */
  poolSize?: number;
  /** PostgreSQL: named prepared statements (default true; a pooler in transaction mode may not keep them). */
  preparedStatements?: boolean;
}

// Here too, where the callers that open a store look for it.
export { targetFor };

export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<OpenedStore> {
  const target = targetFor(url);
  if (target.provider === "sqlite" && target.file !== ":memory:") mkdirSync(dirname(target.file), { recursive: true });
  const migrations = await migrate(target);
  const db = await connect(target, options);
  return { store: createPrismaStore(db, { provider: target.provider }), db, target, migrations };
}

export async function connect(target: DatabaseTarget, options: OpenStoreOptions = {}): Promise<Db> {
  // Only the configured database's client and adapter are loaded: each client
  // takes a good part of a second to load, which a short `muster` command feels.
  if (target.provider === "postgresql") {
    const [{ PrismaPg }, { PrismaClient: PostgresClient }] = await Promise.all([
      import("@prisma/adapter-pg"),
      import("./generated/postgresql/client.js"),
    ]);
    const adapter = new PrismaPg(
      { connectionString: target.url, max: options.poolSize ?? 10, stream: coalescingSocket },
      options.preparedStatements === false ? {} : { statementNameGenerator: statementNames() },
    );
    // Same models, same API: the generated types differ only in provider-specific internals.
    return new PostgresClient({ adapter }) as unknown as Db;
  }
  const [{ PrismaBetterSqlite3 }, { PrismaClient: SqliteClient }] = await Promise.all([
    import("@prisma/adapter-better-sqlite3"),
    import("./generated/sqlite/client.js"),
  ]);
  // A short busy timeout: waits for another connection's lock happen between
  // tries, off the event loop (sqlite-connection.ts).
  const adapter = new PrismaBetterSqlite3({ url: target.file, timeout: BUSY_TIMEOUT_MS });
  // The adapter opens its own connection; reuse its prepared statements (see
  // sqlite-statements.ts), and keep queries out of each other's transactions.
  const connectAdapter = adapter.connect.bind(adapter);
  adapter.connect = async () => {
    const connection = await connectAdapter();
    const held = connection as unknown as { client: BetterSqlite3.Database };
    const raw = held.client;
    held.client = beginsOnlyOnce(reusePreparedStatements(raw), raw);
    return shareSqliteConnection(connection, raw);
  };
  const db = new SqliteClient({ adapter });
  // One connection per process (the adapter's): these hold for all its queries.
  // synchronous=FULL: a committed incident survives power loss, not only a crash.
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await db.$queryRawUnsafe("PRAGMA synchronous = FULL");
  await db.$queryRawUnsafe("PRAGMA foreign_keys = ON");
  return db;
}
