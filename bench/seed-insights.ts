// npm run seed:insights — fills an empty muster database (DATABASE_URL,
// migrated first) with SEED_INCIDENTS (100,000) incidents and SEED_EVENTS
// (2,000,000) timeline events spread over the SEED_DAYS (730) days before now,
// then measures them all (the IncidentMetric projection), so /insights and
// `muster report` start warm. Deterministic (SEED, 1): the same numbers give
// the same database. Varied the way real incidents are: severities, impact
// kinds, components and regions with a long tail, customers unknown for some,
// durations log-normal, some reopened, reclassified, handed off or private,
// post-mortems owed and written late or on time, follow-ups done or not.
// Bulk SQL (better-sqlite3 in one transaction; PostgreSQL via unnest arrays),
// not domain commands: 100,000 declarations through the service would take
// most of an hour.
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { DEFAULT_COMPANY_POLICY } from "../src/incidents/company-policy.js";
import { DEFAULT_POSTMORTEM_REMINDERS } from "../src/incidents/context.js";
import { createInsightsStore } from "../src/store/insights-store.js";
import { openStore, targetFor } from "../src/store/open-store.js";

export interface SeedOptions {
  incidents: number;
  events: number;
  days: number;
  now: Date;
  seed: number;
}

/** mulberry32: small, fast, good enough to vary test data reproducibly. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T,
    /** Log-normal with this median (ms); sigma 1 gives a long right tail. */
    lognormal: (median: number, sigma = 1) => {
      const u = Math.max(next(), 1e-12);
      const v = next();
      return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
    },
    /** Index into a list, weighted towards the front (a long tail). */
    zipf: (n: number) => Math.min(n - 1, Math.floor(n * next() ** 2.2)),
  };
}

const COMPONENTS = [
  "coordination",
  "admin-console",
  "login",
  "derp-relays",
  "magicdns",
  "api",
  "billing",
  "key-expiry",
  "log-streaming",
  "funnel",
  "ssh",
  "webhooks",
  "docs-site",
  "package-repos",
];
/** The public words for each component (the status page never shows internal names). */
const PUBLIC_NAMES: Record<string, string> = {
  coordination: "Coordination server",
  "admin-console": "Admin console",
  login: "Login",
  "derp-relays": "Relays",
  magicdns: "MagicDNS",
  api: "API",
  billing: "Billing",
  "key-expiry": "Key management",
  "log-streaming": "Log streaming",
  funnel: "Funnel",
  ssh: "SSH",
  webhooks: "Webhooks",
  "docs-site": "Documentation",
  "package-repos": "Package repositories",
};
const REGIONS = ["us-east", "us-west", "eu-central", "ap-southeast", "sa-east"];
const PEOPLE = Array.from({ length: 60 }, (_, i) => `USEED${String(i).padStart(3, "0")}`);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

type Cell = string | number | boolean | null | Date;
interface Table {
  name: string;
  columns: string[];
  /** PostgreSQL array type of each column, for unnest. */
  pgTypes: string[];
  rows: Cell[][];
}

const table = (name: string, spec: [string, string][]): Table => ({
  name,
  columns: spec.map((s) => s[0]),
  pgTypes: spec.map((s) => s[1]),
  rows: [],
});

/** Generates every row in memory (about 2.3 million; a few hundred MB at most). */
export function generate(o: SeedOptions) {
  const r = prng(o.seed);
  const incidents = table("Incident", [
    ["id", "text"],
    ["number", "int4"],
    ["key", "text"],
    ["title", "text"],
    ["summary", "text"],
    ["status", '"IncidentStatus"'],
    ["severity", '"Severity"'],
    ["impacts", "jsonb"],
    ["scopeComponents", "jsonb"],
    ["scopeRegions", "jsonb"],
    ["customersAffected", "int4"],
    ["assetRisk", "text"],
    ["private", "bool"],
    ["reportSource", '"ReportSource"'],
    ["reportedBy", "text"],
    ["declaredBy", "text"],
    ["impactStartedAt", "timestamp"],
    ["detectedAt", "timestamp"],
    ["declaredAt", "timestamp"],
    ["mitigatedAt", "timestamp"],
    ["resolvedAt", "timestamp"],
    ["closedAt", "timestamp"],
    ["resolutionSummary", "text"],
    ["partiesInformed", "jsonb"],
    ["version", "int4"],
    ["createdAt", "timestamp"],
    ["updatedAt", "timestamp"],
  ]);
  const roles = table("RoleAssignment", [
    ["id", "text"],
    ["incidentId", "text"],
    ["role", "text"],
    ["userId", "text"],
    ["assignedBy", "text"],
    ["assignedAt", "timestamp"],
    ["endedAt", "timestamp"],
    ["endedBy", "text"],
  ]);
  const updates = table("StatusUpdate", [
    ["id", "text"],
    ["incidentId", "text"],
    ["authorId", "text"],
    ["internalText", "text"],
    ["publicText", "text"],
    ["postedAt", "timestamp"],
  ]);
  const followUps = table("FollowUp", [
    ["id", "text"],
    ["incidentId", "text"],
    ["title", "text"],
    ["ownerId", "text"],
    ["dueDate", "timestamp"],
    ["status", '"FollowUpStatus"'],
    ["createdBy", "text"],
    ["createdAt", "timestamp"],
  ]);
  const postmortems = table("Postmortem", [
    ["incidentId", "text"],
    ["status", '"PostmortemStatus"'],
    ["details", "text"],
    ["timeline", "text"],
    ["impact", "text"],
    ["actionsTaken", "text"],
    ["rootCauses", "text"],
    ["followUps", "text"],
    ["newRisks", "text"],
    ["externalVersionShared", "bool"],
    ["publicSummary", "text"],
    ["ownerId", "text"],
    ["completedBy", "text"],
    ["completedAt", "timestamp"],
    ["updatedAt", "timestamp"],
  ]);
  const publications = table("Publication", [
    ["incidentId", "text"],
    ["publicId", "text"],
    ["title", "text"],
    ["components", "jsonb"],
    ["publishedBy", "text"],
    ["publishedAt", "timestamp"],
    ["updatedAt", "timestamp"],
  ]);
  const events = table("TimelineEvent", [
    ["incidentId", "text"],
    ["at", "timestamp"],
    ["actorId", "text"],
    ["kind", "text"],
    ["visibility", '"Visibility"'],
    ["data", "jsonb"],
  ]);

  // Its own sequence, so choosing what is published leaves every other seeded value as it was.
  const pr = prng(o.seed + 1);
  const start = o.now.getTime() - o.days * DAY;
  const step = (o.days * DAY) / o.incidents;
  // Events other than notes, per incident, are counted first; notes fill up to o.events.
  const perIncidentEvents: [string, Cell[][]][] = [];
  let baseEvents = 0;

  for (let n = 1; n <= o.incidents; n++) {
    const id = `seed-${n}`;
    const declaredAt = new Date(Math.min(o.now.getTime() - MIN, start + (n - 1) * step + r.next() * step));
    const sevRoll = r.next();
    const declaredSeverity =
      sevRoll < 0.05
        ? "critical"
        : sevRoll < 0.2
          ? "high"
          : sevRoll < 0.55
            ? "medium"
            : sevRoll < 0.95
              ? "low"
              : "unclassified";
    let severity = declaredSeverity;
    const impacts: string[] = [];
    const k = r.next();
    if (k < 0.3 || declaredSeverity === "critical") impacts.push("outage");
    else if (k < 0.8) impacts.push("degraded_performance");
    if (r.next() < 0.03) impacts.push("data_loss");
    if (r.next() < 0.4) impacts.push("customer_facing");
    const comps = [
      ...new Set(Array.from({ length: r.int(1, 3) }, () => COMPONENTS[r.zipf(COMPONENTS.length)] as string)),
    ];
    const regions = [...new Set(Array.from({ length: r.int(1, 2) }, () => r.pick(REGIONS)))];
    const customers = r.next() < 0.2 ? null : Math.max(1, Math.round(r.lognormal(40, 1.6)));
    const isPrivate = r.next() < 0.05;
    const detect = r.next() < 0.7 ? r.lognormal(6 * MIN) : null;
    const declareDelay = r.lognormal(8 * MIN);
    const impactStartedAt = r.next() < 0.85 ? new Date(declaredAt.getTime() - declareDelay - (detect ?? 0)) : null;
    const detectedAt = impactStartedAt && detect !== null ? new Date(impactStartedAt.getTime() + detect) : null;
    const origin = (impactStartedAt ?? detectedAt ?? declaredAt).getTime();
    const age = o.now.getTime() - declaredAt.getTime();
    const ic = r.pick(PEOPLE);
    const evs: Cell[][] = [];
    const ev = (at: number, kind: string, data: Record<string, unknown>, visibility = "internal", actor = ic) =>
      evs.push([id, new Date(Math.min(at, o.now.getTime())), actor, kind, visibility, JSON.stringify(data)]);

    ev(declaredAt.getTime(), "declared", { severity: declaredSeverity, commanderId: ic, impacts, private: isPrivate });
    roles.rows.push([`${id}-r1`, id, "commander", ic, ic, declaredAt, null, null]);
    if (r.next() < 0.3) {
      const comms = r.pick(PEOPLE);
      roles.rows.push([
        `${id}-r2`,
        id,
        "communications",
        comms,
        ic,
        new Date(declaredAt.getTime() + 5 * MIN),
        null,
        null,
      ]);
      ev(declaredAt.getTime() + 5 * MIN, "role_assigned", { role: "communications", userId: comms });
    }
    if (r.next() < 0.3) {
      const to = r.pick(["critical", "high", "medium", "low"].filter((s) => s !== severity));
      ev(declaredAt.getTime() + 10 * MIN, "severity_classified", { from: severity, to, reason: "seeded" });
      severity = to;
    }
    // Open ones are the most recent few; not_an_incident 2%.
    const open = age < 3 * DAY && r.next() < 0.6;
    const notIncident = !open && r.next() < 0.02;
    let mitigatedAt: Date | null = null;
    let resolvedAt: Date | null = null;
    let closedAt: Date | null = null;
    let status = "investigating";
    const updatesN = r.int(0, 4);
    let anyPublic = false;
    for (let u = 0; u < updatesN; u++) {
      const at = declaredAt.getTime() + r.lognormal(15 * MIN) * (u + 1);
      const pub = r.next() < 0.4 ? "We are investigating degraded service." : null;
      anyPublic ||= pub !== null;
      const uid = `${id}-u${u}`;
      updates.rows.push([uid, id, ic, "seeded update", pub, new Date(Math.min(at, o.now.getTime()))]);
      ev(
        at,
        "status_update",
        { statusUpdateId: uid, internalText: "seeded update", publicText: pub },
        pub ? "public" : "internal",
      );
    }
    if (r.next() < 0.2) {
      const to = r.pick(PEOPLE);
      const at = declaredAt.getTime() + r.lognormal(2 * HOUR);
      ev(at, "handoff_proposed", { toUserId: to });
      ev(at + 5 * MIN, "handoff_accepted", { toUserId: to, fromUserId: ic });
    }
    if (notIncident) {
      status = "not_an_incident";
      closedAt = new Date(declaredAt.getTime() + 30 * MIN);
      ev(closedAt.getTime(), "status_changed", { from: "investigating", to: "not_an_incident", reason: "seeded" });
    } else if (!open) {
      const ttm = r.lognormal(severity === "critical" ? 35 * MIN : 50 * MIN, 0.9);
      let mitigated = origin + ttm;
      if (r.next() < 0.02) {
        // Reopened once: resolved, then the impact came back.
        const firstResolved = mitigated + r.lognormal(40 * MIN);
        ev(mitigated, "status_changed", { from: "investigating", to: "mitigated" });
        ev(firstResolved, "status_changed", { from: "mitigated", to: "resolved" });
        const reopenAt = firstResolved + r.lognormal(5 * HOUR);
        ev(reopenAt, "status_changed", {
          from: "resolved",
          to: "investigating",
          reopened: true,
          reason: "seeded",
          wasStatus: "resolved",
          previous: {
            mitigatedAt: new Date(mitigated).toISOString(),
            resolvedAt: new Date(firstResolved).toISOString(),
            closedAt: null,
          },
        });
        mitigated = reopenAt + r.lognormal(20 * MIN);
      }
      mitigatedAt = new Date(Math.max(mitigated, declaredAt.getTime()));
      resolvedAt = new Date(mitigatedAt.getTime() + r.lognormal(45 * MIN));
      ev(mitigatedAt.getTime(), "status_changed", { from: "investigating", to: "mitigated" });
      ev(resolvedAt.getTime(), "status_changed", { from: "mitigated", to: "resolved", summary: "seeded" });
      status = "resolved";
      const owed = impacts.includes("outage") || impacts.includes("data_loss") || severity === "critical";
      let pmDone = !owed;
      if (owed) {
        const roll = r.next();
        const pmStatus = roll < 0.72 ? "complete" : roll < 0.77 ? "waived" : "draft";
        const completedAt = pmStatus === "complete" ? new Date(resolvedAt.getTime() + r.lognormal(5 * DAY, 0.7)) : null;
        const completedReal = completedAt && completedAt.getTime() < o.now.getTime() ? completedAt : null;
        const finalStatus = pmStatus === "complete" && !completedReal ? "draft" : pmStatus;
        const text = finalStatus === "draft" ? "" : "seeded";
        postmortems.rows.push([
          id,
          finalStatus,
          text,
          text,
          text,
          text,
          text,
          text,
          text,
          false,
          text,
          ic,
          completedReal ? ic : null,
          completedReal,
          completedReal ?? resolvedAt,
        ]);
        if (completedReal) ev(completedReal.getTime(), "postmortem_completed", {});
        pmDone = finalStatus !== "draft";
      }
      if (pmDone && age > 7 * DAY && r.next() < 0.9) {
        closedAt = new Date(resolvedAt.getTime() + DAY);
        status = "closed";
        ev(closedAt.getTime(), "status_changed", { from: "resolved", to: "closed" });
      }
      const fus = r.int(0, 3);
      for (let f = 0; f < fus; f++) {
        const done = r.next() < 0.6;
        followUps.rows.push([
          `${id}-f${f}`,
          id,
          "seeded follow-up",
          r.pick(PEOPLE),
          null,
          done ? "done" : "open",
          ic,
          resolvedAt,
        ]);
        ev(resolvedAt.getTime(), "follow_up_added", { followUpId: `${id}-f${f}` });
      }
    }
    // About one incident in 180 is on the status page (a few hundred a year), in public words,
    // with its updates' public text; never a private one or one that was not an incident.
    if (!isPrivate && !notIncident && pr.next() < 1 / 180) {
      if (!anyPublic) {
        const at = Math.min(o.now.getTime(), declaredAt.getTime() + 10 * MIN);
        const uid = `${id}-u${updatesN}`;
        const text = "We are investigating reports of degraded service.";
        updates.rows.push([uid, id, ic, "seeded update", text, new Date(at)]);
        ev(at, "status_update", { statusUpdateId: uid, internalText: "seeded update", publicText: text }, "public");
      }
      const publicComponents = comps.map((c) => PUBLIC_NAMES[c] ?? c);
      const updatedAt = new Date(Math.min(o.now.getTime(), (resolvedAt ?? declaredAt).getTime()));
      publications.rows.push([
        id,
        `seed${String(n).padStart(8, "0")}${Math.floor(pr.next() * 1e8).toString(36)}`,
        impacts.includes("outage")
          ? `${publicComponents[0]} unavailable`
          : `Degraded performance of ${publicComponents[0]}`,
        JSON.stringify(publicComponents),
        ic,
        new Date(Math.min(o.now.getTime(), declaredAt.getTime() + 5 * MIN)),
        updatedAt,
      ]);
    }
    incidents.rows.push([
      id,
      n,
      `INC-${n}`,
      `Seeded incident ${n}`,
      "",
      status,
      severity,
      JSON.stringify(impacts),
      JSON.stringify(comps),
      JSON.stringify(regions),
      customers,
      "",
      isPrivate,
      "monitoring",
      null,
      ic,
      impactStartedAt,
      detectedAt,
      declaredAt,
      mitigatedAt,
      resolvedAt,
      closedAt,
      resolvedAt ? "seeded" : null,
      JSON.stringify(resolvedAt ? ["support"] : []),
      evs.length,
      declaredAt,
      // Last touched at its last change, as a real history would leave it.
      new Date(Math.min(o.now.getTime(), Math.max(...evs.map((e) => (e[1] as Date).getTime())))),
    ]);
    baseEvents += evs.length;
    perIncidentEvents.push([id, evs]);
  }

  // Notes fill the timelines up to exactly o.events, spread evenly, each at its incident's time.
  const left = Math.max(0, o.events - baseEvents);
  const each = Math.floor(left / o.incidents);
  const extra = left % o.incidents;
  for (const [i, [id, evs]] of perIncidentEvents.entries()) {
    const first = evs[0] as Cell[];
    const at = (first[1] as Date).getTime();
    const notes = each + (i < extra ? 1 : 0);
    for (let j = 0; j < notes; j++)
      evs.push([
        id,
        new Date(Math.min(at + j * MIN, o.now.getTime())),
        first[2] as string,
        "note",
        "internal",
        '{"text":"seeded note"}',
      ]);
    evs.sort((a, b) => (a[1] as Date).getTime() - (b[1] as Date).getTime());
    for (const e of evs) events.rows.push(e);
  }
  return [incidents, roles, updates, followUps, postmortems, publications, events];
}

const sqliteValue = (v: Cell) =>
  v instanceof Date ? v.toISOString().replace("Z", "+00:00") : typeof v === "boolean" ? (v ? 1 : 0) : v;

function insertSqlite(file: string, tables: Table[]): void {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.exec("BEGIN");
  for (const t of tables) {
    const stmt = db.prepare(
      `INSERT INTO "${t.name}" (${t.columns.map((c) => `"${c}"`).join(", ")}) VALUES (${t.columns.map(() => "?").join(", ")})`,
    );
    for (const row of t.rows) stmt.run(...row.map(sqliteValue));
  }
  db.exec("COMMIT");
  db.exec("ANALYZE");
  db.close();
}

/** PostgreSQL's timestamp(3) columns hold UTC without a zone: send the UTC wall time. */
const pgValue = (v: Cell) => (v instanceof Date ? v.toISOString().slice(0, 23) : v);

async function insertPostgres(url: string, tables: Table[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("BEGIN");
    for (const t of tables) {
      const sql = `INSERT INTO "${t.name}" (${t.columns.map((col) => `"${col}"`).join(", ")})
        SELECT * FROM unnest(${t.pgTypes.map((type, i) => `$${i + 1}::${type}[]`).join(", ")})`;
      for (let i = 0; i < t.rows.length; i += 20_000) {
        const chunk = t.rows.slice(i, i + 20_000);
        await c.query(
          sql,
          t.columns.map((_, col) => chunk.map((row) => pgValue(row[col] as Cell))),
        );
      }
    }
    await c.query("COMMIT");
    await c.query("VACUUM ANALYZE");
  } finally {
    await c.end();
  }
}

/** Seeds an empty database and measures every incident. Refuses a database that holds incidents. */
export async function seedInsights(
  url: string,
  o: SeedOptions,
): Promise<{ incidents: number; events: number; ms: number }> {
  const t0 = performance.now();
  const opened = await openStore(url, { poolSize: 2 }); // applies the migrations
  try {
    const existing = await opened.db.incident.count();
    if (existing > 0) throw new Error(`the database already holds ${existing} incidents; seed an empty one`);
  } finally {
    await opened.store.close();
  }
  const tables = generate(o);
  const target = targetFor(url);
  if (target.provider === "sqlite") insertSqlite(target.file, tables);
  else await insertPostgres(target.url, tables);
  const measured = await openStore(url, { poolSize: 4 });
  try {
    await createInsightsStore(measured.db, {
      provider: target.provider,
      policy: {
        postmortem: DEFAULT_COMPANY_POLICY.postmortem,
        deadlineDays: DEFAULT_POSTMORTEM_REMINDERS.deadlineDays,
      },
    }).refresh();
    await measured.db.$executeRawUnsafe("ANALYZE");
  } finally {
    await measured.store.close();
  }
  const count = (name: string) => tables.find((t) => t.name === name)?.rows.length ?? 0;
  return { incidents: count("Incident"), events: count("TimelineEvent"), ms: performance.now() - t0 };
}

export const seedOptionsFromEnv = (env = process.env): SeedOptions => ({
  incidents: Number(env.SEED_INCIDENTS ?? 100_000),
  events: Number(env.SEED_EVENTS ?? 2_000_000),
  days: Number(env.SEED_DAYS ?? 730),
  now: new Date(),
  seed: Number(env.SEED ?? 1),
});

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const url = process.env.DATABASE_URL ?? "file:./data/muster.db";
  const o = seedOptionsFromEnv();
  seedInsights(url, o).then(
    (r) =>
      console.log(
        `Seeded ${r.incidents.toLocaleString("en-US")} incidents and ${r.events.toLocaleString("en-US")} timeline events over ${o.days} days in ${(r.ms / 1000).toFixed(1)} s, and measured them.`,
      ),
    (e: unknown) => {
      console.error(`seed:insights: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
