// Reads stay cheap as data grows: every statement muster runs for a day's
// work (commands, Slack screens, App Home, the outbox, external references)
// is captured from Prisma's query log and explained on both databases. None
// may scan a whole table: SQLite's plan must not say "SCAN <table>" without an
// index, and PostgreSQL, with sequential scans priced out, must not choose one.
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DUTY_POLICY, type DutyPolicy } from "../../src/dr/duties.js";
import { createDutyService } from "../../src/dr/service.js";
import { DEFAULT_COMPANY_POLICY } from "../../src/incidents/company-policy.js";
import { DEFAULT_POSTMORTEM_REMINDERS } from "../../src/incidents/context.js";
import { createIncidentService } from "../../src/incidents/service.js";
import { parseAlerts } from "../../src/intake/alerts.js";
import { createIntakeService } from "../../src/intake/service.js";
import type { Db } from "../../src/store/db.js";
import { PrismaClient as PostgresClient } from "../../src/store/generated/postgresql/client.js";
import { PrismaClient as SqliteClient } from "../../src/store/generated/sqlite/client.js";
import { createInsightsStore } from "../../src/store/insights-store.js";
import { migrate } from "../../src/store/migrate.js";
import { createOpsStore } from "../../src/store/ops-store.js";
import { createPrismaDutyStore } from "../../src/store/prisma-duty-store.js";
import { createPrismaIntakeStore } from "../../src/store/prisma-intake-store.js";
import { createPrismaJobStore, createPrismaRefStore } from "../../src/store/prisma-job-store.js";
import { createPrismaStore } from "../../src/store/prisma-store.js";
import { createPublicStore } from "../../src/store/public-store.js";
import { available, freshDatabase, type Provider, TEST_POLICY, type TestDatabase } from "../helpers/stores.js";

interface Captured {
  sql: string;
  params: unknown[];
}

/** A day's worth of muster's reads and writes. */
async function workload(db: Db, provider: Provider): Promise<void> {
  const store = createPrismaStore(db, { provider });
  const jobs = createPrismaJobStore(db, provider);
  const refs = createPrismaRefStore(db);
  const svc = createIncidentService({ store, policy: TEST_POLICY });
  const ic = { userId: "UALICE", isAdmin: false };
  const admin = { userId: "UADMIN", isAdmin: true };
  const a = await svc.declare(ic, { title: "Checkout errors", impacts: ["outage"], severity: "high" });
  await svc.declare(admin, { title: "Second", commanderId: "UBOB" });
  await svc.assignRole(ic, { key: a.key, role: "communications", userId: "UBOB" });
  await svc.postStatusUpdate(ic, { key: a.key, internalText: "Rolled back" }, { idempotencyKey: "view:V1" });
  await svc.addNote(ic, { key: a.key, text: "note" });
  await svc.addFollowUp(ic, { key: a.key, title: "Alert on 5xx", ownerId: "UBOB" });
  await svc.recordVendorCheck(ic, { key: a.key, vendor: "Stripe" });
  const h = await svc.proposeHandoff(ic, { key: a.key, toUserId: "UCAROL", note: "state" });
  await svc.acceptHandoff({ userId: "UCAROL", isAdmin: false }, { handoffId: String(h.handoffId) });
  const carol = { userId: "UCAROL", isAdmin: false };
  await svc.mitigate(carol, { key: a.key });
  await svc.resolve(carol, { key: a.key, summary: "fixed", partiesInformed: ["support"] });

  // An outside fact (the worker's appends): locks the incident's chain head, then appends.
  await store.appendEvents([
    { incidentId: a.incidentId, at: new Date(), actorId: "muster", kind: "note", visibility: "internal", data: {} },
  ]);
  await store.listIncidents({ status: ["investigating", "mitigated"], limit: 100 });
  await store.listIncidentSummaries({ status: ["investigating", "mitigated"], limit: 100 });
  await store.incidentSummary({ key: a.key });
  await store.incidentSummary({ id: a.incidentId });
  await store.loadIncident(a.key);
  await store.activeRoles([a.incidentId]);
  await store.openFollowUpsOwnedBy("UBOB");
  await store.draftPostmortemsOwnedBy("UCAROL");
  await store.saveWorkingHours("UBOB", { startMinute: 480, endMinute: 960, days: [1, 2, 3, 4] }, new Date());
  await store.saveWorkingHours("UBOB", { startMinute: 540, endMinute: 1020, days: [1, 2, 3, 4, 5] }, new Date());
  await store.workingHoursOf(["UBOB", "UCAROL"]);

  const now = new Date();
  const claimed = await jobs.claim("w1", 5, now, new Date(now.getTime() + 60_000));
  await jobs.nextRunAt();
  await jobs.extendLease(claimed[0]!.id, "w1", new Date(now.getTime() + 120_000));
  await jobs.complete(claimed[0]!.id, "w1", [], now);
  await jobs.fail(claimed[1]!.id, "w1", { error: "x", retryAt: new Date(now.getTime() + 1_000) }, now);
  await jobs.list({ status: ["dead"], incidentId: a.incidentId });
  await refs.markIntent(a.incidentId, "slack_channel", now);
  await refs.put({ incidentId: a.incidentId, kind: "slack_channel", externalId: "C1", url: null, data: null }, now);
  await refs.get(a.incidentId, "slack_channel");
  await refs.all(a.incidentId);
  await refs.ofKind("slack_channel", [a.incidentId]);
  await refs.findByExternalId("slack_channel", "C1");
  // The public status page: an incident published at declaration and by an update, then its reads.
  const pub = await svc.declare(ic, { title: "Internal words", publish: true, publicTitle: "Slow API" });
  await svc.postStatusUpdate(ic, { key: pub.key, internalText: "x", publicText: "Looking", publish: true });
  const publicStore = createPublicStore(db);
  const published = await publicStore.published(new Date(Date.now() - 90 * 86_400_000));
  await publicStore.byPublicId(published[0]!.publicId);
  await publicStore.published(new Date(Date.now() - 90 * 86_400_000), { updates: true });
  await publicStore.withUpdates([published[0]!.publicId]);
  // Taking it off the page: the form's read, then the command.
  await store.findPublication(pub.incidentId);
  await svc.unpublish(ic, { key: pub.key, reason: "wrong incident" });
  // Every /metrics scrape and /readyz probe.
  const ops = createOpsStore(db, provider);
  await ops.queue(now);
  await ops.openIncidentsBySeverity();

  // The risk register: /incident risk, a change, /incident risks, the review reminder.
  const r = await svc.addRisk(admin, {
    key: a.key,
    description: "One primary",
    ownerId: "UBOB",
    reviewAt: "2030-01-01",
  });
  await svc.updateRisk(admin, { riskId: String(r.riskId), status: "accepted" });
  await store.findRisk(String(r.riskId));
  await store.riskChanges(String(r.riskId));
  await store.riskRegister({ status: ["open", "accepted"], limit: 200 });
  await store.riskRegister({ ownerId: "UBOB", status: ["open"] });
  // The yearly duties: start-up planning, a reminder link, status, logging one, its notice.
  const policy: DutyPolicy = {
    ...DEFAULT_DUTY_POLICY,
    schedules: {
      ...DEFAULT_DUTY_POLICY.schedules,
      walkthrough: { ownerId: "UBOB", everyMonths: 12, firstDueAt: null },
    },
  };
  const dutyStore = createPrismaDutyStore(db);
  const duties = createDutyService({ store: dutyStore, policy });
  await duties.plan();
  const sent = await duties.remind("walkthrough", 0);
  await duties.status();
  await duties.log(admin, { duty: "walkthrough", notes: "done" }, { idempotencyKey: "view:V9" });
  const noticeId = Number((sent as { noticeId?: number }).noticeId);
  await dutyStore.findNotice(noticeId);
  await dutyStore.markNoticeIntent(noticeId);
  await dutyStore.markNoticeSent(noticeId, "1.2");

  // Insights: measuring what changed, then a period's aggregates, filtered and not.
  const insights = createInsightsStore(db, {
    provider,
    policy: { postmortem: DEFAULT_COMPANY_POLICY.postmortem, deadlineDays: DEFAULT_POSTMORTEM_REMINDERS.deadlineDays },
  });
  await svc.declare(admin, { title: "Private one", private: true, commanderId: "UBOB" });
  const period = { since: new Date(Date.now() - 86_400_000), until: new Date(Date.now() + 86_400_000) };
  await insights.report(period, new Date());
  await svc.addNote(ic, { key: a.key, text: "after the report" });
  await insights.report({ ...period, severity: ["high"], component: "payments" }, new Date());

  // Intake: an outage report (rate limits), an alert and its repeat, the triage message's job, Declare.
  const intakeStore = createPrismaIntakeStore(db);
  const intake = createIntakeService({
    store: intakeStore,
    policy: {
      report: { perAddress: 3, perClient: 10, windowMs: 3_600_000, components: [] },
      alerts: { dedupWindowMs: 600_000, declareRules: [] },
    },
    declare: async () => ({ key: "INC-1" }),
  });
  const report = await intake.reportOutage({ description: "Console is down", contact: "x@example.com" }, "c1");
  await intake.receiveAlerts(parseAlerts({ name: "HighLatency" }));
  const [alert] = await intake.receiveAlerts(parseAlerts({ name: "HighLatency" }));
  const reportId = report.ok ? report.id : "";
  await intake.draft(reportId);
  await intakeStore.claimSync(reportId, now, new Date(now.getTime() + 30_000));
  await intakeStore.markPostIntent(reportId, now);
  await intakeStore.markPosted(reportId, "C1", "1.3", 0);
  await intakeStore.releaseSync(reportId);
  await intake.markDeclared(String(alert?.reportId), "INC-1", "UBOB");
  await insights.incidents(period, { userId: "UBOB", isAdmin: false }, { limit: 50, offset: 0 });
  await insights.incidents(period, { userId: null, isAdmin: false }, { limit: 50, offset: 50 });
}

/** Every distinct read statement the client runs, with the parameters it ran with. */
function logged(db: Db, into: Captured[]) {
  (db as unknown as { $on(e: "query", f: (e: { query: string; params: string }) => void): void }).$on("query", (e) => {
    if (!/^\s*(SELECT|UPDATE|DELETE|WITH)/i.test(e.query)) return;
    if (into.some((c) => c.sql === e.query)) return;
    into.push({ sql: e.query, params: JSON.parse(e.params) as unknown[] });
  });
}

const TABLES =
  /^(Incident|RoleAssignment|Handoff|StatusUpdate|Escalation|VendorCheck|FollowUp|Risk|Postmortem|TimelineEvent|Job|ExternalRef|IdempotencyKey|Counter|WorkingHours|IncidentMetric|IncidentMetricComponent|TriageReport|RateLimit|Publication)$/;

let database: TestDatabase;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe.each(["sqlite", "postgresql"] as Provider[])("%s query plans", (provider) => {
  const statements: Captured[] = [];
  beforeAll(async () => {
    if (!available(provider)) return;
    database = await freshDatabase(provider);
    cleanups.push(database.cleanup);
    const log = [{ emit: "event" as const, level: "query" as const }];
    let db: Db;
    if (provider === "sqlite") {
      const file = database.url.slice("file:".length);
      await migrate({ provider, file });
      db = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: file }), log }) as unknown as Db;
    } else {
      await migrate({ provider, url: database.url });
      db = new PostgresClient({ adapter: new PrismaPg({ connectionString: database.url }), log }) as unknown as Db;
    }
    logged(db, statements);
    await workload(db, provider);
    await db.$disconnect();
  });

  it.runIf(available(provider))("no statement scans a whole table", async () => {
    expect(statements.length).toBeGreaterThan(30);
    const scans: string[] = [];
    if (provider === "sqlite") {
      const d = new Database(database.url.slice("file:".length), { readonly: true });
      for (const s of statements) {
        // Prisma logs booleans (private = false) as JSON booleans; SQLite binds them as 0/1.
        const params = s.params.map((p) => (typeof p === "boolean" ? Number(p) : p));
        const plan = d.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...(params as never[])) as { detail: string }[];
        const subqueries = new Set(
          plan.map((p) => /^(?:CO-ROUTINE|MATERIALIZE) (\S+)/.exec(p.detail)?.[1]).filter(Boolean),
        );
        for (const { detail } of plan) {
          const m = /^SCAN (\S+)$/.exec(detail);
          if (m && !subqueries.has(m[1]!)) scans.push(`${detail}  ←  ${s.sql.slice(0, 160)}`);
        }
      }
      d.close();
    } else {
      const c = new pg.Client({ connectionString: database.url });
      await c.connect();
      await c.query("SET enable_seqscan = off");
      for (const s of statements) {
        const { rows } = await c.query<{ "QUERY PLAN": string }>(`EXPLAIN ${s.sql}`, s.params);
        for (const r of rows) {
          const m = /Seq Scan on "?(\w+)"?/.exec(r["QUERY PLAN"]);
          if (m && TABLES.test(m[1]!)) scans.push(`${r["QUERY PLAN"].trim()}  ←  ${s.sql.slice(0, 160)}`);
        }
      }
      await c.end();
    }
    expect(scans).toEqual([]);
  });
});
