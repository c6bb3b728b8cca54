// A consistent copy of a live SQLite database, made on a worker thread:
// better-sqlite3 is synchronous, and a copy of a large file must not stop the
// bot's event loop (Slack wants an answer within 3 s). The worker is plain
// JavaScript (eval) so it runs the same under tsx, vitest and dist/.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * "vacuum": VACUUM INTO, one read transaction, so the copy is the database as
 * of one moment while writers carry on (WAL). "backup": SQLite's online
 * backup API in a single step (all pages at once; in several steps a write by
 * another connection would restart it). `npm run bench:backup` measures both.
 */
export type SqliteCopyMethod = "vacuum" | "backup";

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.module);
(async () => {
  const source = new Database(workerData.source, { fileMustExist: true, timeout: 15000 });
  try {
    if (workerData.method === "vacuum") source.prepare("VACUUM INTO ?").run(workerData.dest);
    else await source.backup(workerData.dest, { progress: () => 1 << 30 });
  } finally {
    source.close();
  }
  // A rollback-journal file: it opens read-only, alone, without -wal or -shm files.
  const copy = new Database(workerData.dest, { fileMustExist: true });
  try {
    copy.pragma("journal_mode = DELETE");
  } finally {
    copy.close();
  }
})().then(() => parentPort.postMessage("done"), (e) => parentPort.postMessage({ error: String(e && e.message || e) }));
`;

const require = createRequire(import.meta.url);

export function copySqlite(source: string, dest: string, method: SqliteCopyMethod = "vacuum"): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { module: require.resolve("better-sqlite3"), source, dest, method },
    });
    let settled = false;
    worker.on("message", (m: "done" | { error: string }) => {
      settled = true;
      if (m === "done") resolve();
      else reject(new Error(`SQLite could not copy the database: ${m.error}`));
      void worker.terminate();
    });
    worker.on("error", (e) => {
      settled = true;
      reject(e);
    });
    worker.on("exit", (code) => {
      if (!settled) reject(new Error(`the SQLite copy stopped (exit ${code})`));
    });
  });
}
