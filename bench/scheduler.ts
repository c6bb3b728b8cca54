// npm run bench:scheduler — the durable scheduler (timer jobs on the outbox),
// on SQLite and on PostgreSQL:
//
// 1. Lateness: 10,000 reminders due across a day fire on time. A real day is
//    too long to wait for, and a clock that runs fast would make the worker's
//    real sleeps wrong, so the day is squeezed into BENCH_SCHED_WINDOW_S real
//    seconds (default 120: about 80 reminders a second, where a real day has
//    one every nine seconds) with a third of them bunched on six instants, the
//    way 09:00 in six time zones bunches post-mortem reminders. Lateness is
//    the moment the worker's handler starts minus the reminder's due time,
//    with muster's own worker, claim statement and settings.
// 2. Idle: `node dist/main.js` (the real process, Slack emulated in this one)
//    with 10,000 reminders due in the coming weeks, its CPU read from
//    /proc/PID/stat over BENCH_IDLE_S seconds (default 60).
// 3. Restart: SIGKILL that process, start it again on the same database, and
//    time it until /healthz answers and until its first look at the queue.
//    Reminders are not loaded into memory: the worker asks the database for
//    the next due time, so the restart cost is the store opening plus one
//    indexed query, whatever the number of reminders.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import pino from "pino";
import { DEFAULT_ROLES } from "../src/incidents/context.js";
import type { NewJob } from "../src/incidents/model.js";
import { createIncidentService } from "../src/incidents/service.js";
import { createWorker } from "../src/jobs/worker.js";
import { openStore } from "../src/store/open-store.js";
import { createPrismaJobStore } from "../src/store/prisma-job-store.js";
import { startSlackEmulator } from "../test/emulators/slack.js";
import { recordFigure, verdictOf } from "./report.js";

const REMINDERS = Number(process.env.BENCH_SCHED_REMINDERS ?? 10_000);
const WINDOW_S = Number(process.env.BENCH_SCHED_WINDOW_S ?? 120);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 60);
const PG_ADMIN = process.env.MUSTER_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const KIND = "slack.postmortem_reminder_due";
const TICKS_PER_S = 100; // getconf CLK_TCK on Linux

const quantile = (xs: number[], f: number) => xs[Math.min(xs.length - 1, Math.floor(f * xs.length))] ?? 0;

interface Db {
  provider: "sqlite" | "postgresql";
  url: string;
  drop: () => Promise<void>;
}

async function sqliteDb(): Promise<Db> {
  const dir = mkdtempSync(join(tmpdir(), "muster-bench-sched-"));
  return {
    provider: "sqlite",
    url: `file:${join(dir, "muster.db")}`,
    drop: async () => rmSync(dir, { recursive: true }),
  };
}

async function postgresDb(): Promise<Db | null> {
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  try {
    await admin.connect();
  } catch {
    console.log("PostgreSQL is not reachable: skipping it.");
    return null;
  }
  const name = `muster_bench_sched_${Date.now()}`;
  await admin.query(`CREATE DATABASE "${name}"`);
  const u = new URL(PG_ADMIN);
  u.pathname = `/${name}`;
  return {
    provider: "postgresql",
    url: u.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

/**
 * Incidents for the reminders to belong to (a job's incident must exist). The
 * jobs their declarations queued (channels, nudges) are marked done: they are
 * not what is measured, and an idle muster has none left.
 */
async function incidents(url: string, n: number): Promise<string[]> {
  const { store, db } = await openStore(url, { poolSize: 4 });
  const svc = createIncidentService({ store, policy: { roles: DEFAULT_ROLES } });
  const ids: string[] = [];
  for (let i = 0; i < n; i++)
    ids.push((await svc.declare({ userId: "UBENCH", isAdmin: false }, { title: `Bench ${i}` })).incidentId);
  await db.job.updateMany({ data: { status: "done", finishedAt: new Date() } });
  await db.$disconnect();
  return ids;
}

/** `count` reminders from `from`, spread over `spanMs`, a third of them on six instants. */
function reminders(ids: string[], count: number, spanMs: number, offsetMs: number): NewJob[] {
  const hot = Array.from({ length: 6 }, (_, k) => offsetMs + Math.round(((k + 0.5) / 6) * spanMs));
  return Array.from({ length: count }, (_, i) => ({
    incidentId: ids[i % ids.length] as string,
    kind: KIND,
    payload: { seq: 0 },
    delayMs: i % 3 === 0 ? (hot[i % 6] as number) : offsetMs + Math.floor(Math.random() * spanMs),
  }));
}

async function lateness(db: Db): Promise<{ p50: number; p99: number; max: number; fired: number }> {
  const ids = await incidents(db.url, 100);
  const { db: prisma, target } = await openStore(db.url, { poolSize: 10 });
  const jobs = createPrismaJobStore(prisma, target.provider);
  const leadMs = 5_000;
  const start = new Date();
  const queued = reminders(ids, REMINDERS, WINDOW_S * 1000, leadMs);
  for (let i = 0; i < queued.length; i += 1000) await jobs.enqueue(queued.slice(i, i + 1000), start);

  const late: number[] = [];
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => {
    done = r;
  });
  const worker = createWorker({
    jobs,
    logger: pino({ level: "silent" }),
    handlers: {
      [KIND]: async ({ job }) => {
        late.push(Date.now() - job.runAt.getTime());
        if (late.length === REMINDERS) done();
        return [];
      },
    },
  });
  worker.start();
  const timeout = setTimeout(done, (WINDOW_S + 60) * 1000);
  await all;
  clearTimeout(timeout);
  await worker.stop();
  await prisma.$disconnect();
  late.sort((a, b) => a - b);
  return { p50: quantile(late, 0.5), p99: quantile(late, 0.99), max: late.at(-1) ?? 0, fired: late.length };
}

function cpuTicks(pid: number): number {
  // Fields after the command name: utime and stime are the 14th and 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

async function healthy(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("muster did not come up");
}

/** Starts the real muster; resolves once /healthz answers (the store is open and migrated by then). */
async function startProcess(env: Record<string, string>): Promise<{ child: ChildProcess; readyMs: number }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const t = performance.now();
  const child = spawn(process.execPath, ["dist/main.js"], {
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: "warn" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  await healthy(port, Date.now() + 60_000);
  return { child, readyMs: performance.now() - t };
}

async function idleAndRestart(
  db: Db,
): Promise<{ cpuPercent: number; readyMs: number; restartMs: number; queueLookMs: number }> {
  const ids = await incidents(db.url, 100);
  const { db: prisma, target } = await openStore(db.url, { poolSize: 2 });
  const jobs = createPrismaJobStore(prisma, target.provider);
  const day = 24 * 3600_000;
  const queued = reminders(ids, REMINDERS, 28 * day, day);
  for (let i = 0; i < queued.length; i += 1000) await jobs.enqueue(queued.slice(i, i + 1000), new Date());
  // The worker's look at the queue with 10,000 future reminders: claim, then the next due time.
  const looks: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await jobs.claim("bench", 16, new Date(), new Date(Date.now() + 60_000));
    await jobs.nextRunAt();
    looks.push(performance.now() - t);
  }
  looks.sort((a, b) => a - b);
  await prisma.$disconnect();

  const slack = await startSlackEmulator({ enforceRateLimits: false });
  const env = {
    DATABASE_URL: db.url,
    SLACK_BOT_TOKEN: "xoxb-test",
    SLACK_SIGNING_SECRET: "muster-bench-signing-secret",
    SLACK_API_URL: slack.url,
  };
  try {
    const first = await startProcess(env);
    await new Promise((r) => setTimeout(r, 3_000)); // start-up work settles
    const before = cpuTicks(first.child.pid!);
    const t = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const cpuS = (cpuTicks(first.child.pid!) - before) / TICKS_PER_S;
    const cpuPercent = (cpuS / ((performance.now() - t) / 1000)) * 100;
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    const again = await startProcess(env);
    again.child.kill("SIGKILL");
    await new Promise((r) => again.child.once("exit", r));
    return { cpuPercent, readyMs: first.readyMs, restartMs: again.readyMs, queueLookMs: quantile(looks, 0.5) };
  } finally {
    await slack.close();
  }
}

const f = (n: number) => n.toFixed(0).padStart(6);
console.log(
  `bench:scheduler — ${REMINDERS} reminders over ${WINDOW_S} s (a day squeezed), idle over ${IDLE_S} s, ${new Date().toISOString()}`,
);
let failed = false;
// BENCH_SCHED_ONLY=sqlite|postgresql runs one database.
const only = process.env.BENCH_SCHED_ONLY;
for (const make of [sqliteDb, postgresDb].filter((m) => !only || m.name.startsWith(only.slice(0, 6)))) {
  const db = await make();
  if (!db) continue;
  try {
    const l = await lateness(db);
    await db.drop();
    const fresh = await make();
    if (!fresh) continue;
    try {
      const idle = await idleAndRestart(fresh);
      const ok = l.p99 < 1000 && l.fired === REMINDERS && idle.cpuPercent < 2;
      failed ||= !ok;
      const name = db.provider === "sqlite" ? "SQLite" : "PostgreSQL";
      recordFigure({
        bench: "scheduler",
        figure: `reminder lateness p99, ${name}`,
        value: `${l.p99.toFixed(0)} ms (${l.fired}/${REMINDERS} fired)`,
        target: "< 1,000 ms, all fired",
        verdict: verdictOf(l.p99 < 1000 && l.fired === REMINDERS),
      });
      recordFigure({
        bench: "scheduler",
        figure: `idle CPU with ${REMINDERS} reminders, ${name}`,
        value: `${idle.cpuPercent.toFixed(2)}%`,
        target: "< 2%",
        verdict: verdictOf(idle.cpuPercent < 2),
      });
      recordFigure({
        bench: "scheduler",
        figure: `restart after SIGKILL, ${name}`,
        value: `${(idle.restartMs / 1000).toFixed(2)} s`,
        target: "",
        verdict: "info",
      });
      console.log(
        `${db.provider.padEnd(10)} lateness ms p50 ${f(l.p50)} p99 ${f(l.p99)} max ${f(l.max)} (fired ${l.fired}/${REMINDERS}; target p99 < 1000)\n` +
          `${"".padEnd(10)} idle with ${REMINDERS} future reminders: ${idle.cpuPercent.toFixed(2)}% of one core (target < 2%)\n` +
          `${"".padEnd(10)} start ${f(idle.readyMs)} ms, restart after SIGKILL ${f(idle.restartMs)} ms to /healthz; ` +
          `the worker's look at the queue (claim + next due) ${idle.queueLookMs.toFixed(1)} ms`,
      );
    } finally {
      await fresh.drop();
    }
  } catch (e) {
    await db.drop().catch(() => undefined);
    throw e;
  }
}
console.log(failed ? "scheduler targets: MISSED" : "scheduler targets: met");
process.exitCode = failed ? 1 : 0;
