// npm run bench:store — durable timeline appends through muster's store (one
// event per transaction) against the raw driver; full commands per second
// (idempotency look-up, load, permission check, version bump, event and
// idempotency record, one command per transaction); and loading an incident
// with 10,000 events; on SQLite and on PostgreSQL in one run.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { DEFAULT_ROLES } from "../src/incidents/context.js";
import { createIncidentService } from "../src/incidents/service.js";
import { openStore } from "../src/store/open-store.js";
import { recordFigure, verdictOf } from "./report.js";

const APPENDS = Number(process.env.BENCH_APPENDS ?? 2000);
const EVENTS = 10_000;
const PG_ADMIN = process.env.MUSTER_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

type Row = { provider: string; store: number; command: number; raw: number; load: number };

const perSecond = (n: number, ms: number) => (n / ms) * 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function benchOne(
  provider: "sqlite" | "postgresql",
  url: string,
  raw: (n: number, incidentId: string) => Promise<number>,
): Promise<Row> {
  const { store, db } = await openStore(url, { poolSize: 4 });
  const svc = createIncidentService({ store, policy: { roles: DEFAULT_ROLES } });
  const actor = { userId: "UBENCH", isAdmin: false };
  const { incidentId, key } = await svc.declare(actor, { title: "Bench" });

  // Warm-up, then the measured run.
  const append = (i: number) =>
    store.appendEvents([
      {
        incidentId,
        at: new Date(),
        actorId: "UBENCH",
        kind: "note",
        visibility: "internal",
        data: { text: `event ${i}` },
      },
    ]);
  for (let i = 0; i < 100; i++) await append(i);
  let t = performance.now();
  for (let i = 0; i < APPENDS; i++) await append(i);
  const storeRate = perSecond(APPENDS, performance.now() - t);

  // The full command path, one command per transaction: idempotency look-up,
  // load, permission check, version bump, event, idempotency record.
  const commands = Math.min(APPENDS, 1000);
  const run = `${Date.now()}`;
  for (let i = 0; i < 50; i++)
    await svc.addNote(actor, { key, text: `warm ${i}` }, { idempotencyKey: `w:${run}:${i}` });
  t = performance.now();
  for (let i = 0; i < commands; i++)
    await svc.addNote(actor, { key, text: `note ${i}` }, { idempotencyKey: `b:${run}:${i}` });
  const commandRate = perSecond(commands, performance.now() - t);

  const rawRate = perSecond(APPENDS, await raw(APPENDS, incidentId));

  // An incident with 10,000 events.
  const big = await svc.declare(actor, { title: "Long incident" });
  const base = Date.now();
  for (let i = 0; i < EVENTS; i += 1000) {
    await db.timelineEvent.createMany({
      data: Array.from({ length: 1000 }, (_, j) => ({
        incidentId: big.incidentId,
        at: new Date(base + i + j),
        actorId: `U${(i + j) % 17}`,
        kind: "note",
        visibility: "internal" as const,
        data: { text: `Observation number ${i + j}: error rate at ${(i + j) % 100}%` },
      })),
    });
  }
  const loads: number[] = [];
  for (let i = 0; i < 7; i++) {
    t = performance.now();
    const r = await store.loadIncident(big.key);
    loads.push(performance.now() - t);
    if (r?.timeline.length !== EVENTS + 1) throw new Error(`loaded ${r?.timeline.length} events`);
  }
  await store.close();
  return { provider, store: storeRate, command: commandRate, raw: rawRate, load: median(loads.slice(1)) };
}

async function sqlite(): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), "muster-bench-"));
  try {
    const file = join(dir, "bench.db");
    return await benchOne("sqlite", `file:${file}`, async (n, incidentId) => {
      // Same settings as muster's connection: WAL, synchronous=FULL.
      const d = new Database(file);
      d.pragma("journal_mode = WAL");
      d.pragma("synchronous = FULL");
      const ins = d.prepare(
        `INSERT INTO "TimelineEvent" ("incidentId","at","actorId","kind","visibility","data") VALUES (?,?,?,?,?,?)`,
      );
      const t = performance.now();
      for (let i = 0; i < n; i++)
        ins.run(
          incidentId,
          new Date().toISOString(),
          "UBENCH",
          "note",
          "internal",
          JSON.stringify({ text: `event ${i}` }),
        );
      const ms = performance.now() - t;
      d.close();
      return ms;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(): Promise<Row | null> {
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  try {
    await admin.connect();
  } catch {
    console.log("PostgreSQL is not reachable: skipping it.");
    return null;
  }
  const name = `muster_bench_${Date.now()}`;
  await admin.query(`CREATE DATABASE "${name}"`);
  const u = new URL(PG_ADMIN);
  u.pathname = `/${name}`;
  try {
    return await benchOne("postgresql", u.toString(), async (n, incidentId) => {
      const c = new pg.Client({ connectionString: u.toString() });
      await c.connect();
      const t = performance.now();
      for (let i = 0; i < n; i++) {
        await c.query(
          `INSERT INTO "TimelineEvent" ("incidentId","at","actorId","kind","visibility","data") VALUES ($1,$2,$3,$4,$5,$6)`,
          [incidentId, new Date(), "UBENCH", "note", "internal", JSON.stringify({ text: `event ${i}` })],
        );
      }
      const ms = performance.now() - t;
      await c.end();
      return ms;
    });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

// Targets (issue: Prisma 7 and the cost of every request).
const TARGET = {
  sqlite: { appends: 1000, commands: 600 },
  postgresql: { appends: 500, commands: 300 },
} as const;
const LOAD_MS = 50;
const rows = [await sqlite(), await postgres()].filter((r): r is Row => r !== null);
console.log(
  `\nmuster bench:store  (${APPENDS} appends, one event per transaction; 1,000 full commands; load = median of 6)\n`,
);
console.log(
  "provider     appends/s  raw driver/s  store/raw  commands/s  load 10k events  verdict (targets: appends, commands/s, load)",
);
let ok = true;
for (const r of rows) {
  const t = TARGET[r.provider as keyof typeof TARGET];
  const pass = r.store >= t.appends && r.command >= t.commands && r.load < LOAD_MS;
  ok &&= pass;
  const name = r.provider === "sqlite" ? "SQLite" : "PostgreSQL";
  recordFigure({
    bench: "store",
    figure: `durable appends, ${name}`,
    value: `${r.store.toFixed(0)}/s (raw ${(r.store / r.raw).toFixed(2)}×)`,
    target: `≥ ${t.appends}/s`,
    verdict: verdictOf(r.store >= t.appends),
  });
  recordFigure({
    bench: "store",
    figure: `full commands, ${name}`,
    value: `${r.command.toFixed(0)}/s`,
    target: `≥ ${t.commands}/s`,
    verdict: verdictOf(r.command >= t.commands),
  });
  recordFigure({
    bench: "store",
    figure: `load 10,000 events, ${name}`,
    value: `${r.load.toFixed(1)} ms`,
    target: `< ${LOAD_MS} ms`,
    verdict: verdictOf(r.load < LOAD_MS),
  });
  console.log(
    [
      r.provider.padEnd(12),
      r.store.toFixed(0).padStart(9),
      r.raw.toFixed(0).padStart(13),
      (r.store / r.raw).toFixed(2).padStart(10),
      r.command.toFixed(0).padStart(11),
      `${r.load.toFixed(1)} ms`.padStart(16),
      ` ${pass ? "met" : "MISSED"} (≥ ${t.appends}/s, ≥ ${t.commands}/s, < ${LOAD_MS} ms)`,
    ].join(" "),
  );
}
console.log(ok ? "\nPASS: every target met" : "\nFAIL: a target was missed");
process.exitCode = ok ? 0 : 1;
