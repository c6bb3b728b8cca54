// A consistent copy of a live SQLite database, made on a worker thread:
// better-sqlite3 is synchronous, and a copy of a large file must not stop the
// bot's event loop (Slack wants an answer within 3 s). The worker is plain
// JavaScript (eval) so it runs the same under tsx, vitest and dist/.
//
// Once the copy is whole the worker says so, then computes the file's
// SHA-256 for the manifest, so the caller can count rows and digest the
// chain heads on the copy meanwhile (both only read it): on two cores the
// hash costs no extra time (profiled under `npm run bench:backup`, hashing
// was the largest cost after the copy itself).
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * "backup" (the default): SQLite's online backup API in a single step, the
 * page copy `sqlite3 .backup` makes (all pages at once; in several steps a
 * write by another connection would restart it). "vacuum": VACUUM INTO,
 * which rebuilds every table and index as it copies (a compacted file, about
 * 1.5× the time). Both read one snapshot while writers carry on (WAL).
 */
export type SqliteCopyMethod = "vacuum" | "backup";

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const { closeSync, openSync, readSync } = require("node:fs");
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
  parentPort.postMessage("copied");
  const hash = createHash("sha256");
  const chunk = Buffer.allocUnsafe(4 << 20);
  const fd = openSync(workerData.dest, "r");
  let bytes = 0;
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; bytes += n) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest("hex"), bytes };
})().then((file) => parentPort.postMessage({ file }), (e) => parentPort.postMessage({ error: String(e && e.message || e) }));
`;

const require = createRequire(import.meta.url);

export interface SqliteCopy {
  /** Settles when the copy is whole on disk (it may then be opened read-only). */
  copied: Promise<void>;
  /** The copy's SHA-256 and size, computed after `copied`. */
  hashed: Promise<{ sha256: string; bytes: number }>;
}

export function copySqlite(source: string, dest: string, method: SqliteCopyMethod = "backup"): SqliteCopy {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { module: require.resolve("better-sqlite3"), source, dest, method },
  });
  let copied!: { resolve: () => void; reject: (e: Error) => void };
  let hashed!: { resolve: (f: { sha256: string; bytes: number }) => void; reject: (e: Error) => void };
  const result: SqliteCopy = {
    copied: new Promise((resolve, reject) => (copied = { resolve, reject })),
    hashed: new Promise((resolve, reject) => (hashed = { resolve, reject })),
  };
  // Whoever awaits only one of them must not see the other's rejection as unhandled.
  result.copied.catch(() => undefined);
  result.hashed.catch(() => undefined);
  const fail = (e: Error) => {
    copied.reject(e);
    hashed.reject(e);
  };
  worker.on("message", (m: "copied" | { file: { sha256: string; bytes: number } } | { error: string }) => {
    if (m === "copied") return copied.resolve();
    if ("file" in m) hashed.resolve(m.file);
    else fail(new Error(`SQLite could not copy the database: ${m.error}`));
    void worker.terminate();
  });
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`the SQLite copy stopped (exit ${code})`)));
  return result;
}
