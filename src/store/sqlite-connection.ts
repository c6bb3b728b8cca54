// The one SQLite connection of a muster process, made safe to share.
//
// Prisma's better-sqlite3 adapter runs every query and every transaction on a
// single connection, and its mutex only keeps transactions apart from each
// other. A query made while a transaction is open (awaiting between its
// statements) ran inside that transaction: its write was rolled back with
// it, or lost with the process on a SIGKILL before the COMMIT, after its
// caller had been told it was done. The reliability suite found incidents
// whose issue and doc existed but whose bookmarks never came: the issue's
// reference was written while a job completion's transaction was open, and
// that transaction failed on a full disk. Here every query waits for the
// open transaction to end, in order.
//
// Also, better-sqlite3 is synchronous: a lock held by another connection (the
// CLI, a restore drill, a second process pointed at the file by mistake)
// made SQLite's busy handler wait inside the call, stopping the event loop
// for up to the busy timeout, and with it every acknowledgement Slack
// wants within 3 s. The busy timeout is now short, and a query that meets a
// held lock is retried after an asynchronous pause until BUSY_WAIT_MS has
// passed; transactions take the write lock when they begin (BEGIN
// IMMEDIATE), so a busy lock meets them only there, where a retry is safe.
import type { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type BetterSqlite3 from "better-sqlite3";

type Adapter = Awaited<ReturnType<PrismaBetterSqlite3["connect"]>>;
type Transaction = Awaited<ReturnType<Adapter["startTransaction"]>>;

/** How long SQLite's own busy handler may block the event loop for one try. */
export const BUSY_TIMEOUT_MS = 20;
/** How long a query keeps trying for a lock another connection holds (the busy timeout before). */
export const BUSY_WAIT_MS = 15_000;

const BEGIN_IMMEDIATE = { sql: "BEGIN IMMEDIATE", args: [], argTypes: [] };

/** A lock held by another connection, when retrying can help (not a stale snapshot inside a transaction). */
export function isBusy(e: unknown): boolean {
  const code =
    (e as { cause?: { originalCode?: unknown }; code?: unknown })?.cause?.originalCode ??
    (e as { code?: unknown })?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY") && code !== "SQLITE_BUSY_SNAPSHOT";
}

/** Runs what is queued one at a time, in order; `acquire` holds the connection until released. */
function connectionQueue() {
  let tail: Promise<void> = Promise.resolve();
  return {
    acquire(): Promise<() => void> {
      const before = tail;
      let release!: () => void;
      tail = new Promise<void>((r) => {
        release = r;
      });
      return before.then(() => release);
    },
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Wraps the adapter's connection: `client` is the connection it was opened
 * on (its `prepare("BEGIN")` is replaced by the BEGIN IMMEDIATE run here).
 */
export function shareSqliteConnection(
  adapter: Adapter,
  raw: BetterSqlite3.Database,
  o: { waitMs?: number } = {},
): Adapter {
  const waitMs = o.waitMs ?? BUSY_WAIT_MS;
  const queue = connectionQueue();

  /** Tries `once` alone on the connection, pausing between tries (the queue free meanwhile) while another connection holds the lock. */
  async function alone<T>(once: () => Promise<T>, keep = false): Promise<{ value: T; release: () => void }> {
    const deadline = Date.now() + waitMs;
    for (let attempt = 0; ; attempt++) {
      const release = await queue.acquire();
      try {
        const value = await once();
        if (!keep) release();
        return { value, release };
      } catch (e) {
        release();
        if (!isBusy(e) || Date.now() >= deadline) throw e;
      }
      await pause(Math.min(250, 5 * 2 ** attempt, Math.max(0, deadline - Date.now())));
    }
  }

  function finished(tx: Transaction, release: () => void): Transaction {
    let done = false;
    const end = async (how: "commit" | "rollback") => {
      try {
        await tx[how]();
      } finally {
        // A failed COMMIT leaves SQLite's transaction open, and Prisma then
        // only calls rollback(), which sends nothing: close it here, or the
        // next queries would run inside it.
        if (raw.inTransaction) raw.exec("ROLLBACK");
        if (!done) release();
        done = true;
      }
    };
    return Object.assign(Object.create(tx) as Transaction, {
      commit: () => end("commit"),
      rollback: () => end("rollback"),
    });
  }

  const wrapped: Adapter = Object.create(adapter);
  Object.assign(wrapped, {
    queryRaw: (q: Parameters<Adapter["queryRaw"]>[0]) => alone(() => adapter.queryRaw(q)).then((r) => r.value),
    executeRaw: (q: Parameters<Adapter["executeRaw"]>[0]) => alone(() => adapter.executeRaw(q)).then((r) => r.value),
    executeScript: (script: string) => alone(() => adapter.executeScript(script)).then((r) => r.value),
    async startTransaction(isolationLevel?: Parameters<Adapter["startTransaction"]>[0]) {
      const { release } = await alone(() => adapter.executeRaw(BEGIN_IMMEDIATE), true);
      try {
        // Its own BEGIN finds the transaction begun (see beginsOnlyOnce).
        return finished(await adapter.startTransaction(isolationLevel), release);
      } catch (e) {
        if (raw.inTransaction) raw.exec("ROLLBACK");
        release();
        throw e;
      }
    },
  });
  return wrapped;
}

/**
 * The adapter begins each transaction with a plain BEGIN, which takes no
 * lock until the first write; `shareSqliteConnection` has begun it already
 * with BEGIN IMMEDIATE, so that BEGIN is skipped.
 */
export function beginsOnlyOnce(client: BetterSqlite3.Database, raw: BetterSqlite3.Database): BetterSqlite3.Database {
  const skipped = {
    reader: false,
    run: () => {
      if (!raw.inTransaction) throw new Error("muster's SQLite transactions begin with BEGIN IMMEDIATE");
      return { changes: 0, lastInsertRowid: 0 };
    },
    columns: () => [],
    raw: () => ({ all: () => [] }),
  };
  const prepare = client.prepare.bind(client);
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === "prepare")
        return (sql: string) => (sql === "BEGIN" ? { ...skipped, bind: () => skipped } : prepare(sql));
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}
