// npm run bench:insights — on SQLite and PostgreSQL, a database of
// SEED_INCIDENTS (100,000) incidents and SEED_EVENTS (2,000,000) timeline
// events over two years (bench/seed-insights.ts), the real `node dist/main.js`
// serving it. Targets (issue 14): /insights for a one-year range, and
// /status and /api/v2/summary.json when they exist, answer with p50 < 300 ms;
// each printed with its ratio to the same aggregate as one raw SQL statement
// through the bare driver; `muster report` for a year < 2 s (the whole
// process, start-up included); /metrics < 50 ms.
//
// BENCH_INSIGHTS_ONLY=sqlite|postgresql runs one database. Seeding takes
// minutes: BENCH_INSIGHTS_KEEP=1 keeps the seeded databases
// (/tmp/muster-bench-insights/seed.db and PostgreSQL database
// muster_bench_insights) and reuses them on the next run.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { startSlackEmulator } from "../test/emulators/slack.js";
import { recordFigure, verdictOf } from "./report.js";
import { seedInsights, seedOptionsFromEnv } from "./seed-insights.js";

const run = promisify(execFile);
const PG_ADMIN = process.env.MUSTER_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const KEEP = process.env.BENCH_INSIGHTS_KEEP === "1";
const DIR = "/tmp/muster-bench-insights";
const REQUESTS = Number(process.env.BENCH_INSIGHTS_REQUESTS ?? 20);
const TOKEN = "bench-insights-token-0123456789abcdef0123456789";
const DAY = 86_400_000;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? 0;
};

async function timed(n: number, f: () => Promise<unknown>): Promise<number[]> {
  await f(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    out.push(performance.now() - t);
  }
  return out;
}

async function databases(): Promise<{ provider: "sqlite" | "postgresql"; url: string; drop: () => Promise<void> }[]> {
  const only = process.env.BENCH_INSIGHTS_ONLY;
  const out = [];
  mkdirSync(DIR, { recursive: true });
  if (!only || only === "sqlite") {
    const file = join(DIR, KEEP ? "seed.db" : `seed-${process.pid}.db`);
    out.push({
      provider: "sqlite" as const,
      url: `file:${file}`,
      drop: async () => {
        if (!KEEP) for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
      },
    });
  }
  if (!only || only === "postgresql") {
    const name = KEEP ? "muster_bench_insights" : `muster_bench_insights_${process.pid}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!exists.rowCount) await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const u = new URL(PG_ADMIN);
    u.pathname = `/${name}`;
    out.push({
      provider: "postgresql" as const,
      url: u.toString(),
      drop: async () => {
        if (KEEP) return;
        const c = new pg.Client({ connectionString: PG_ADMIN });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.end();
      },
    });
  }
  return out;
}

async function incidentCount(provider: string, url: string): Promise<number> {
  if (provider === "sqlite") {
    const file = url.slice("file:".length);
    if (!existsSync(file)) return 0;
    const d = new Database(file, { readonly: true });
    try {
      return (d.prepare(`SELECT COUNT(*) AS n FROM "Incident"`).get() as { n: number }).n;
    } catch {
      return 0;
    } finally {
      d.close();
    }
  }
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query(`SELECT COUNT(*) AS n FROM "Incident"`)).rows[0].n);
  } catch {
    return 0;
  } finally {
    await c.end();
  }
}

/**
 * The raw comparator: the period's headline aggregate (counts, sums,
 * customer-minutes, post-mortem and follow-up figures) as one statement on
 * the bare driver, with no HTTP, no rendering and no projection refresh.
 */
function rawAggregateSql(p: (i: number) => string): string {
  return `SELECT COUNT(*), SUM(m."unavailability"), SUM(m."degraded"), SUM(m."dataImpact"),
      SUM(m."customers" * (m."impactEndedS" + CASE WHEN m."impactOngoingMs" IS NULL THEN 0 ELSE (${p(3)} - m."impactOngoingMs") / 1000 END) / 60),
      SUM(m."pmRequired"), SUM(CASE WHEN m."pmStatus" = 'complete' THEN 1 ELSE 0 END),
      SUM(m."followUps"), SUM(m."followUpsDone"), SUM(m."handoffs")
    FROM "IncidentMetric" m WHERE m."counted" = 1 AND m."declaredAtMs" >= ${p(1)} AND m."declaredAtMs" < ${p(2)}`;
}

async function rawAggregate(provider: string, url: string, since: number, until: number): Promise<number[]> {
  const now = Date.now();
  if (provider === "sqlite") {
    const d = new Database(url.slice("file:".length), { readonly: true });
    const s2 = d.prepare(rawAggregateSql((i) => (i === 1 ? "@since" : i === 2 ? "@until" : "@now")));
    const out = await timed(REQUESTS, async () => s2.all({ since, until, now }));
    d.close();
    return out;
  }
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const sql = rawAggregateSql((i) => `$${i}`);
  const out = await timed(REQUESTS, () => c.query(sql, [since, until, now]));
  await c.end();
  return out;
}

async function startMuster(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, ["dist/main.js"], {
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: "warn" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return { child, port };
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  throw new Error("muster did not come up");
}

interface Row {
  provider: string;
  seeded: string;
  pages: { path: string; p50: number | null; ratio: number | null }[];
  report: number;
  metrics: number;
  raw: number;
}

async function benchOne(db: { provider: "sqlite" | "postgresql"; url: string }): Promise<Row> {
  const o = seedOptionsFromEnv();
  let seeded = "reused";
  if ((await incidentCount(db.provider, db.url)) === 0) {
    const r = await seedInsights(db.url, o);
    seeded = `${(r.ms / 1000).toFixed(0)} s`;
    console.log(`  ${db.provider}: seeded ${r.incidents} incidents, ${r.events} events in ${seeded}`);
  }
  const now = Date.now();
  const until = Math.floor(now / DAY) * DAY + DAY;
  const since = until - 365 * DAY;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const raw = quantile(await rawAggregate(db.provider, db.url, since, until), 0.5);

  const slack = await startSlackEmulator({ enforceRateLimits: false });
  const { child, port } = await startMuster({
    DATABASE_URL: db.url,
    SLACK_BOT_TOKEN: "xoxb-test",
    SLACK_SIGNING_SECRET: "muster-bench-signing-secret",
    SLACK_API_URL: slack.url,
    INSIGHTS_TOKEN: TOKEN,
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    const pages: Row["pages"] = [];
    for (const path of [`/insights?since=${day(since)}&until=${day(until)}`, "/status", "/api/v2/summary.json"]) {
      const first = await fetch(base + path, { headers: { authorization: `Bearer ${TOKEN}` } });
      await first.arrayBuffer();
      if (first.status === 404) {
        pages.push({ path, p50: null, ratio: null });
        continue;
      }
      if (first.status !== 200) throw new Error(`${path} answered ${first.status}`);
      const times = await timed(REQUESTS, async () => {
        const r = await fetch(base + path, { headers: { authorization: `Bearer ${TOKEN}` } });
        await r.arrayBuffer();
      });
      const p50 = quantile(times, 0.5);
      pages.push({ path, p50, ratio: p50 / raw });
    }
    const metrics = quantile(await timed(REQUESTS, async () => (await fetch(`${base}/metrics`)).arrayBuffer()), 0.5);
    const reports = await timed(3, () =>
      run(
        process.execPath,
        ["bin/muster.js", "report", "--since", day(since), "--until", day(until), "--format", "json"],
        {
          env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: "warn" },
          maxBuffer: 64 * 1024 * 1024,
        },
      ),
    );
    return { provider: db.provider, seeded, pages, report: quantile(reports, 0.5), metrics, raw };
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await slack.close();
  }
}

const o = seedOptionsFromEnv();
console.log(
  `bench:insights — ${o.incidents.toLocaleString("en-US")} incidents, ${o.events.toLocaleString("en-US")} events over ${o.days} days; ${REQUESTS} requests per page after a warm-up; ${new Date().toISOString()}`,
);
let failed = false;
const f = (ms: number | null) => (ms === null ? "—" : `${ms.toFixed(0)} ms`);
for (const db of await databases()) {
  try {
    const r = await benchOne(db);
    const name = r.provider === "sqlite" ? "SQLite" : "PostgreSQL";
    console.log(`\n${name} (seed ${r.seeded}); raw aggregate p50 ${r.raw.toFixed(1)} ms`);
    for (const p of r.pages) {
      const label = p.path.split("?")[0] ?? p.path;
      if (p.p50 === null) {
        console.log(`  ${label.padEnd(22)} not served by this muster yet (404)`);
        continue;
      }
      const ok = p.p50 < 300;
      failed ||= !ok;
      console.log(
        `  ${label.padEnd(22)} p50 ${f(p.p50).padStart(8)}  ${(p.ratio ?? 0).toFixed(1)}× raw SQL  ${ok ? "ok" : "MISSED"} (< 300 ms)`,
      );
      recordFigure({
        bench: "insights",
        figure: `${label} p50 for a year, ${name} (ratio to raw SQL)`,
        value: `${f(p.p50)} (${(p.ratio ?? 0).toFixed(1)}×)`,
        target: "< 300 ms",
        verdict: verdictOf(ok),
      });
    }
    const reportOk = r.report < 2000;
    const metricsOk = r.metrics < 50;
    failed ||= !reportOk || !metricsOk;
    console.log(
      `  muster report (a year)  ${f(r.report).padStart(8)}  ${reportOk ? "ok" : "MISSED"} (< 2 s, the whole process)`,
    );
    console.log(`  /metrics               p50 ${f(r.metrics).padStart(8)}  ${metricsOk ? "ok" : "MISSED"} (< 50 ms)`);
    recordFigure({
      bench: "insights",
      figure: `muster report for a year, ${name}`,
      value: f(r.report),
      target: "< 2 s",
      verdict: verdictOf(reportOk),
    });
    recordFigure({
      bench: "insights",
      figure: `/metrics p50, ${name}`,
      value: f(r.metrics),
      target: "< 50 ms",
      verdict: verdictOf(metricsOk),
    });
  } finally {
    await db.drop();
  }
}
process.exitCode = failed ? 1 : 0;
