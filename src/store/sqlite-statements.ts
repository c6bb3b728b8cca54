// Prisma's better-sqlite3 adapter prepares every statement anew on every
// query (`db.prepare(sql).bind(args)`): SQLite parses and plans the SQL each
// time. Profiled on the command path (`npm run bench:store`), preparing was
// 9% of muster's CPU. Prisma's generated SQL is a small, fixed set of
// strings, so the prepared statements are kept and reused. A bound statement
// cannot be bound again, so `bind` here hands back a view of the cached
// statement that passes the arguments to each call instead; the adapter only
// uses `reader`, `run`, `columns` and `raw().all()`, all covered.
import type Database from "better-sqlite3";

type Statement = Database.Statement<unknown[]>;

/** What the adapter calls on `prepare(sql)` and on `prepare(sql).bind(args)`. */
interface PreparedView {
  readonly reader: boolean;
  run(): Database.RunResult;
  columns(): Database.ColumnDefinition[];
  raw(): { all(): unknown[] };
}

function view(stmt: Statement, args: unknown[]): PreparedView {
  return {
    reader: stmt.reader,
    run: () => stmt.run(...args),
    columns: () => stmt.columns(),
    raw: () => {
      stmt.raw(true);
      return { all: () => stmt.all(...args) };
    },
  };
}

/**
 * Wraps a better-sqlite3 connection so that `prepare` reuses statements (up
 * to `max` distinct SQL strings; the oldest goes first).
 */
export function reusePreparedStatements(db: Database.Database, max = 1_000): Database.Database {
  const cache = new Map<string, Statement>();
  const prepare = (sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(sql, stmt);
    }
    return { ...view(stmt, []), bind: (args: unknown[]) => view(stmt, args) };
  };
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === "prepare") return prepare;
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}
