// npm run bench:backup — `muster backup` and `muster restore-drill` on a
// database of 10,000 incidents and 1,000,000 timeline events, next to the raw
// tools (sqlite3 .backup / .restore; pg_dump -Fc / createdb + pg_restore), as
// ratios. Seeded with bulk SQL, not domain commands, then the hash chains are
// filled in by the migration's own step (its time is printed: what upgrading
// a database this size costs). BENCH_BACKUP_ONLY=sqlite|postgresql runs one.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { restoreDrill } from "../src/backup/drill.js";
import { findPgTool } from "../src/backup/pg-tools.js";
import { takeBackup } from "../src/backup/take-backup.js";
import { DEFAULT_ROLES } from "../src/incidents/context.js";
import { createIncidentService } from "../src/incidents/service.js";
import { fillTimelineChains } from "../src/store/chain-backfill.js";
import { openStore } from "../src/store/open-store.js";
import { postgresSql, sqliteSql } from "../src/store/raw-sql.js";
import { recordFigure, verdictOf } from "./report.js";

const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 10_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const PG_ADMIN = process.env.MUSTER_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const ONLY = process.env.BENCH_BACKUP_ONLY;
/** The issue's target: backup and drill each within 1.5× of the raw tool. */
const TARGET_RATIO = 1.5;
const dir = mkdtempSync(join(tmpdir(), "muster-bench-backup-"));

const time = async (f: () => unknown) => {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
};

/** One real incident as the model row, then copies of it and a million events, in SQL. */
async function seed(url: string): Promise<void> {
  const opened = await openStore(url, { poolSize: 2 });
  await createIncidentService({ store: opened.store, policy: { roles: DEFAULT_ROLES } }).declare(
    { userId: "UBENCH", isAdmin: true },
    { title: "Model incident" },
  );
  await opened.store.close();
}

const incidentCopySql = (cols: string[], series: string, n: string) =>
  `INSERT INTO "Incident" (${cols.map((c) => `"${c}"`).join(", ")}) SELECT ${cols
    .map((c) =>
      c === "id" ? `'bench-' || ${n}` : c === "number" ? `${n} + 1` : c === "key" ? `'INC-' || (${n} + 1)` : `i."${c}"`,
    )
    .join(", ")} FROM "Incident" i, ${series} WHERE i."number" = 1`;

async function seedSqlite(file: string): Promise<void> {
  await seed(`file:${file}`);
  const db = new Database(file);
  const cols = (db.prepare(`PRAGMA table_info("Incident")`).all() as { name: string }[]).map((c) => c.name);
  db.exec("BEGIN");
  db.exec(
    incidentCopySql(
      cols,
      `(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${INCIDENTS - 1}) SELECT n FROM s) s`,
      "s.n",
    ),
  );
  db.exec(`INSERT INTO "TimelineEvent" ("incidentId", "at", "actorId", "kind", "visibility", "data")
    WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${EVENTS})
    SELECT 'bench-' || (1 + n % ${INCIDENTS - 1}), strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || n || ' seconds'),
      'U' || (n % 97), 'note', 'internal', json_object('text', 'Bench note number ' || n, 'source', 'bench')
    FROM s`);
  fillMs.sqlite = await time(() => fillTimelineChains(sqliteSql(db)));
  db.exec("COMMIT");
  db.close();
}

async function seedPostgres(url: string): Promise<void> {
  await seed(url);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query<{ c: string }>(
    `SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'Incident' AND table_schema = current_schema()`,
  );
  await c.query(
    incidentCopySql(
      rows.map((r) => r.c),
      `generate_series(1, ${INCIDENTS - 1}) AS s(n)`,
      "s.n",
    ),
  );
  await c.query(`INSERT INTO "TimelineEvent" ("incidentId", "at", "actorId", "kind", "visibility", "data")
    SELECT 'bench-' || (1 + n % ${INCIDENTS - 1}), now() - n * interval '1 second', 'U' || (n % 97), 'note', 'internal',
      jsonb_build_object('text', 'Bench note number ' || n, 'source', 'bench')
    FROM generate_series(1, ${EVENTS}) AS s(n)`);
  fillMs.postgresql = await time(async () => {
    await c.query("BEGIN");
    await fillTimelineChains(postgresSql(c));
    await c.query("COMMIT");
  });
  await c.query(`VACUUM ANALYZE`);
  await c.end();
}

/** How long the migration's step takes to fill in the chains of a database this size. */
const fillMs: Record<string, number> = {};

type Row = { provider: string; backup: number; rawBackup: number; drill: number; rawRestore: number };

async function benchSqlite(): Promise<Row> {
  const file = join(dir, "live.db");
  await seedSqlite(file);
  const target = { provider: "sqlite" as const, file };
  const backup = await time(() => takeBackup({ target, out: join(dir, "muster.db"), takenBy: "bench" }));
  const rawBackup = await time(() => execFileSync("sqlite3", [file, `.backup ${join(dir, "raw.db")}`]));
  const opened = await openStore(`file:${file}`);
  const drill = await time(async () => {
    const d = await restoreDrill({ target, db: opened.db, file: join(dir, "muster.db"), by: "bench" });
    if (d.result !== "passed") throw new Error(`drill failed: ${d.reason}`);
  });
  await opened.store.close();
  const rawRestore = await time(() =>
    execFileSync("sqlite3", [join(dir, "restored.db"), `.restore ${join(dir, "raw.db")}`]),
  );
  return { provider: "sqlite", backup, rawBackup, drill, rawRestore };
}

async function benchPostgres(): Promise<Row> {
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  const name = `muster_bench_backup_${process.pid}`;
  await admin.query(`CREATE DATABASE "${name}"`);
  const u = new URL(PG_ADMIN);
  u.pathname = `/${name}`;
  const url = u.toString();
  try {
    await seedPostgres(url);
    const target = { provider: "postgresql" as const, url };
    const pgDump = await findPgTool("pg_dump", 15);
    const pgRestore = await findPgTool("pg_restore", 15);
    const backup = await time(() => takeBackup({ target, out: join(dir, "muster.dump"), takenBy: "bench" }));
    const rawBackup = await time(() =>
      execFileSync(pgDump, ["-Fc", `--file=${join(dir, "raw.dump")}`, `--dbname=${url}`]),
    );
    const opened = await openStore(url);
    const drill = await time(async () => {
      const d = await restoreDrill({ target, db: opened.db, file: join(dir, "muster.dump"), by: "bench" });
      if (d.result !== "passed") throw new Error(`drill failed: ${d.reason}`);
    });
    await opened.store.close();
    const rawRestore = await time(async () => {
      await admin.query(`CREATE DATABASE "${name}_raw" TEMPLATE template0`);
      u.pathname = `/${name}_raw`;
      execFileSync(pgRestore, [
        "--no-owner",
        "--single-transaction",
        `--dbname=${u.toString()}`,
        join(dir, "raw.dump"),
      ]);
    });
    return { provider: "postgresql", backup, rawBackup, drill, rawRestore };
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS "${name}_raw" WITH (FORCE)`);
    await admin.end();
  }
}

try {
  const rows: Row[] = [];
  if (ONLY !== "postgresql") rows.push(await benchSqlite());
  if (ONLY !== "sqlite") rows.push(await benchPostgres());
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`${INCIDENTS} incidents, ${EVENTS} timeline events`);
  console.log("provider     backup   raw tool  ratio   drill    raw restore  ratio");
  let ok = true;
  for (const r of rows) {
    ok &&= r.backup / r.rawBackup <= TARGET_RATIO && r.drill / r.rawRestore <= TARGET_RATIO;
    const name = r.provider === "sqlite" ? "SQLite" : "PostgreSQL";
    for (const [figure, ours, raw] of [
      [
        `muster backup vs ${r.provider === "sqlite" ? "sqlite3 .backup" : "pg_dump -Fc"}, ${name}`,
        r.backup,
        r.rawBackup,
      ],
      [
        `restore drill vs ${r.provider === "sqlite" ? "sqlite3 .restore" : "createdb + pg_restore"}, ${name}`,
        r.drill,
        r.rawRestore,
      ],
    ] as const)
      recordFigure({
        bench: "backup",
        figure,
        value: `${s(ours)} vs ${s(raw)} = ${(ours / raw).toFixed(2)}×`,
        target: `≤ ${TARGET_RATIO}×`,
        verdict: verdictOf(ours / raw <= TARGET_RATIO),
      });
    console.log(
      `${r.provider.padEnd(11)}  ${s(r.backup).padEnd(7)}  ${s(r.rawBackup).padEnd(8)}  ${(r.backup / r.rawBackup).toFixed(2)}×  ${s(r.drill).padEnd(7)}  ${s(r.rawRestore).padEnd(11)}  ${(r.drill / r.rawRestore).toFixed(2)}×`,
    );
  }
  console.log(
    `hash chains filled in by the migration step: ${Object.entries(fillMs)
      .map(([p, ms]) => `${p} ${s(ms)}`)
      .join(", ")}`,
  );
  console.log(ok ? `\nPASS: within ${TARGET_RATIO}× of the raw tools` : `\nFAIL: a ratio is above ${TARGET_RATIO}×`);
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
