// Intake on both databases: outage reports are rate-limited per address and
// per client, across replicas (two stores on one database); alerts are
// deduplicated by their key within the window; a configured rule declares;
// every change queues the triage message's job in the same transaction.
// On PostgreSQL, two stores on one database stand for two replicas.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseAlerts } from "../../src/intake/alerts.js";
import { createIntakeService, type IntakePolicy } from "../../src/intake/service.js";
import { type OpenedStore, openStore } from "../../src/store/open-store.js";
import { createPrismaIntakeStore } from "../../src/store/prisma-intake-store.js";
import { createPrismaJobStore } from "../../src/store/prisma-job-store.js";
import { available, freshDatabase, PROVIDERS, type TestDatabase } from "../helpers/stores.js";

const POLICY: IntakePolicy = {
  report: { perAddress: 2, perClient: 3, windowMs: 60 * 60_000, components: [] },
  alerts: { dedupWindowMs: 10 * 60_000, declareRules: [{ alert: "SiteDown", commander: "UONCALL" }] },
};

const generic = (over: Record<string, unknown> = {}) =>
  parseAlerts({ name: "HighLatency", summary: "p99 over 2 s", labels: { region: "eu" }, ...over });

describe.each(PROVIDERS)("intake on %s", (provider) => {
  let database: TestDatabase;
  let a: OpenedStore;
  let b: OpenedStore;
  let now: Date;
  const declared: { title: string; key: string; commanderId: string }[] = [];
  const serviceOn = (opened: OpenedStore, policy = POLICY) =>
    createIntakeService({
      store: createPrismaIntakeStore(opened.db),
      policy,
      clock: () => now,
      declare: async (draft, key) => {
        const existing = declared.find((d) => d.key === key);
        if (existing) return { key: "INC-1" };
        declared.push({ title: draft.title, key, commanderId: draft.commanderId });
        return { key: "INC-1" };
      },
    });

  beforeEach(async (ctx) => {
    if (!available(provider)) ctx.skip();
    database = await freshDatabase(provider);
    a = await openStore(database.url, { poolSize: 4 });
    // PostgreSQL: a second replica on the same database. SQLite belongs to one process.
    b = provider === "postgresql" ? await openStore(database.url, { poolSize: 4 }) : a;
    now = new Date("2026-12-01T10:00:00Z");
    declared.length = 0;
  });
  afterEach(async () => {
    await a?.store.close();
    if (b !== a) await b?.store.close();
    await database?.cleanup();
  });

  const jobsOf = async (opened: OpenedStore) =>
    (await createPrismaJobStore(opened.db, provider).list({ limit: 500 })).filter(
      (j) => j.kind === "intake.sync_triage",
    );

  it("takes an outage report, queues its message, and refuses the address's third within the hour", async () => {
    const one = serviceOn(a);
    const two = serviceOn(b);
    const report = { description: "The admin console does not load for us", contact: "Ops@Example.com" };
    const first = await one.reportOutage(report, "203.0.113.5");
    expect(first.ok).toBe(true);
    expect((await two.reportOutage({ ...report, contact: "ops@example.com" }, "203.0.113.6")).ok).toBe(true);
    // The other replica counts the same address: the third is refused, with when to try again.
    const third = await two.reportOutage(report, "203.0.113.7");
    expect(third).toEqual({ ok: false, retryAt: new Date("2026-12-01T11:00:00Z") });
    expect(await jobsOf(a)).toHaveLength(2);
    const saved = first.ok ? await one.findReport(first.id) : null;
    expect(saved).toMatchObject({ source: "third_party", status: "open", contact: "Ops@Example.com" });
    // The window ends: the address may report again.
    now = new Date("2026-12-01T11:00:01Z");
    expect((await one.reportOutage(report, "203.0.113.8")).ok).toBe(true);
    // No address or IP is kept in the clear in the counters.
    const keys = (await a.db.rateLimit.findMany()).map((r) => r.key).join(" ");
    expect(keys).not.toMatch(/example|203\.0/i);
  });

  it("limits one client across addresses, exactly, when requests race", async () => {
    const one = serviceOn(a);
    const two = serviceOn(b);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? one : two).reportOutage(
          { description: "Everything is down for me", contact: `person${i}@example.com` },
          "198.51.100.1",
        ),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(POLICY.report.perClient);
  });

  it("refuses a report without a usable address or description, in plain words", async () => {
    const one = serviceOn(a);
    await expect(one.reportOutage({ description: "down", contact: "x@example.com" }, "c")).rejects.toThrow(
      /at least 10 characters/,
    );
    await expect(
      one.reportOutage({ description: "All of it is down", contact: "not an address" }, "c"),
    ).rejects.toThrow(/e-mail address/);
    const listed = serviceOn(a, { ...POLICY, report: { ...POLICY.report, components: ["API", "Admin console"] } });
    await expect(
      listed.reportOutage({ description: "All of it is down", contact: "x@example.com", component: "Kernel" }, "c"),
    ).rejects.toThrow(/listed components/);
  });

  it("makes one report of an alert repeated within the window, a new one after it, and updates on resolve", async () => {
    const one = serviceOn(a);
    const two = serviceOn(b);
    const [first] = await one.receiveAlerts(generic());
    expect(first).toMatchObject({ outcome: "new" });
    // Flapping, on both replicas at once: still the same report.
    const again = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? one : two).receiveAlerts(generic())));
    expect(new Set(again.map((r) => r[0]!.reportId))).toEqual(new Set([first!.reportId]));
    now = new Date(now.getTime() + 5 * 60_000);
    const [resolved] = await two.receiveAlerts(generic({ status: "resolved" }));
    expect(resolved).toMatchObject({ outcome: "updated", reportId: first!.reportId });
    const report = await one.findReport(first!.reportId!);
    expect(report).toMatchObject({ status: "resolved", count: 8, source: "monitoring" });
    expect(report!.version).toBe(7);
    // Each change queued the message's job (one job per change; the job itself skips what is shown).
    expect(await jobsOf(a)).toHaveLength(8);
    // Past the window from its last arrival: a new report, a new message.
    now = new Date(now.getTime() + 11 * 60_000);
    const [later] = await one.receiveAlerts(generic());
    expect(later).toMatchObject({ outcome: "new" });
    expect(later!.reportId).not.toBe(first!.reportId);
    // Different labels are a different alert.
    const [other] = await one.receiveAlerts(generic({ labels: { region: "us" } }));
    expect(other!.reportId).not.toBe(later!.reportId);
    // A resolve for an alert muster never saw says nothing.
    const [unknown] = await one.receiveAlerts(generic({ name: "Never", status: "resolved" }));
    expect(unknown).toEqual({ reportId: null, outcome: "ignored" });
  });

  it("declares an alert a rule names, once, and never one it does not name", async () => {
    const one = serviceOn(a);
    const [down] = await one.receiveAlerts(generic({ name: "SiteDown", severity: "critical" }));
    expect(down).toMatchObject({ outcome: "new", declared: "INC-1" });
    await one.receiveAlerts(generic({ name: "SiteDown", severity: "critical" }));
    expect(declared).toEqual([
      { title: "Alert: SiteDown", key: `alert-rule:${down!.reportId}`, commanderId: "UONCALL" },
    ]);
    expect(await one.findReport(down!.reportId!)).toMatchObject({ incidentKey: "INC-1", declaredBy: "muster" });
    const [latency] = await one.receiveAlerts(generic());
    expect(latency!.declared).toBeUndefined();
    expect(declared).toHaveLength(1);
  });

  it("pre-fills the declare form from a report and marks it declared once", async () => {
    const one = serviceOn(a);
    const r = await one.reportOutage(
      { description: "Login fails with <!channel> 500\nsince 10:00", contact: "a@example.com", component: "Login" },
      "c",
    );
    if (!r.ok) throw new Error("refused");
    expect(await one.draft(r.id)).toEqual({
      reportId: r.id,
      title: "Reported outage: Login fails with !channel 500",
      summary: "Login fails with <!channel> 500\nsince 10:00",
      reportSource: "third_party",
      components: ["Login"],
      severity: null,
      reportedBy: "a@example.com",
    });
    await one.markDeclared(r.id, "INC-7", "UALICE");
    await one.markDeclared(r.id, "INC-8", "UBOB");
    expect(await one.findReport(r.id)).toMatchObject({ incidentKey: "INC-7", declaredBy: "UALICE" });
  });
});
