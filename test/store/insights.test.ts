// Insights against hand-computed incidents, driven through the real commands
// on SQLite and PostgreSQL: an edited time (before and after a report was
// taken), a reopened incident, an open one, one that was not an incident and
// one outside the period. Every expected number below is worked out by hand
// in the comments.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_COMPANY_POLICY } from "../../src/incidents/company-policy.js";
import { DEFAULT_POSTMORTEM_REMINDERS } from "../../src/incidents/context.js";
import { createIncidentService, type IncidentService } from "../../src/incidents/service.js";
import { measureIncident } from "../../src/insights/measure.js";
import { createInsightsStore } from "../../src/store/insights-store.js";
import type { OpenedStore } from "../../src/store/open-store.js";
import { available, openTestStore, PROVIDERS, TEST_POLICY, user } from "../helpers/stores.js";

const admin = user("UADMIN", true);
const bob = user("UBOB");
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
// Monday 2 March 2026, 10:00 UTC.
const T0 = Date.parse("2026-03-02T10:00:00Z");
const at = (ms: number) => new Date(T0 + ms);
const POLICY = {
  postmortem: DEFAULT_COMPANY_POLICY.postmortem,
  deadlineDays: DEFAULT_POSTMORTEM_REMINDERS.deadlineDays,
};
const PERIOD = { since: at(-DAY), until: at(7 * DAY) };

describe.each(PROVIDERS)("insights on %s", (provider) => {
  let opened: OpenedStore & { cleanup: () => Promise<void> };
  let svc: IncidentService;
  let now = T0;
  let insights: ReturnType<typeof createInsightsStore>;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    if (!available(provider)) return;
    opened = await openTestStore(provider);
    svc = createIncidentService({ store: opened.store, policy: TEST_POLICY, clock: () => new Date(now) });
    insights = createInsightsStore(opened.db, { provider, policy: POLICY });
  });
  afterAll(async () => opened?.cleanup());

  const run = async <T>(ms: number, f: () => Promise<T>): Promise<T> => {
    now = T0 + ms;
    return f();
  };

  it.runIf(available(provider))("measures the incidents of a week by hand-computed numbers", async () => {
    // E: declared ten days before the period: never counted.
    keys.E = (
      await run(-10 * DAY, () => svc.declare(admin, { title: "Old", severity: "critical", impacts: ["outage"] }))
    ).key;

    // A: critical outage of payments and api in two regions, 1,000 customers.
    const a = await run(10 * MIN, () =>
      svc.declare(admin, {
        title: "Payments down",
        severity: "critical",
        impacts: ["outage"],
        components: ["payments", "api"],
        regions: ["eu", "us"],
        customersAffected: 1000,
        impactStartedAt: at(0),
        detectedAt: at(5 * MIN),
      }),
    );
    keys.A = a.key;
    await run(20 * MIN, () => svc.postStatusUpdate(admin, { key: a.key, internalText: "Rolling back" }));
    const h = await run(25 * MIN, () => svc.proposeHandoff(admin, { key: a.key, toUserId: "UBOB", note: "state" }));
    await run(26 * MIN, () => svc.acceptHandoff(bob, { handoffId: String(h.handoffId) }));
    await run(40 * MIN, () => svc.mitigate(admin, { key: a.key }));
    // Edited: the impact actually stopped at +30 min.
    await run(50 * MIN, () => svc.correctTimes(admin, { key: a.key, mitigatedAt: at(30 * MIN), reason: "graphs" }));
    await run(60 * MIN, () => svc.resolve(admin, { key: a.key, summary: "fixed", partiesInformed: ["support"] }));

    // B: high, degraded payments for 10 customers; reclassified medium; resolved, reopened, resolved again.
    const b = await run(2 * HOUR, () =>
      svc.declare(admin, {
        title: "Slow payments",
        severity: "high",
        impacts: ["degraded_performance"],
        components: ["payments"],
        customersAffected: 10,
      }),
    );
    keys.B = b.key;
    await run(2 * HOUR + 5 * MIN, () =>
      svc.classifySeverity(admin, { key: b.key, severity: "medium", reason: "workaround" }),
    );
    await run(2 * HOUR + 30 * MIN, () => svc.mitigate(admin, { key: b.key }));
    await run(3 * HOUR, () => svc.resolve(admin, { key: b.key, summary: "cache", partiesInformed: ["none affected"] }));
    await run(4 * HOUR, () => svc.reopen(admin, { key: b.key, reason: "slow again" }));
    await run(4 * HOUR + 20 * MIN, () => svc.mitigate(admin, { key: b.key }));
    await run(5 * HOUR, () =>
      svc.resolve(admin, { key: b.key, summary: "cache again", partiesInformed: ["none affected"] }),
    );

    // F: critical outage of control, 100 customers, resolved (mitigated at resolve); its post-mortem never written.
    const f = await run(5 * HOUR, () =>
      svc.declare(admin, {
        title: "Control",
        severity: "critical",
        impacts: ["outage"],
        components: ["control"],
        customersAffected: 100,
      }),
    );
    keys.F = f.key;
    await run(6 * HOUR, () => svc.resolve(admin, { key: f.key, summary: "restart", partiesInformed: ["customers"] }));

    // C: low, open, dns, customers unknown; impact started an hour before it was declared on Tuesday.
    const c = await run(DAY, () =>
      svc.declare(admin, { title: "DNS", severity: "low", components: ["dns"], impactStartedAt: at(DAY - HOUR) }),
    );
    keys.C = c.key;
    // D: not an incident.
    const d = await run(DAY + HOUR, () => svc.declare(admin, { title: "Noise", severity: "low", components: ["dns"] }));
    await run(DAY + 2 * HOUR, () => svc.markNotAnIncident(admin, { key: d.key, reason: "scanner" }));

    // A report before A's start is corrected: A to mitigate = 30 min.
    const before = await insights.report(PERIOD, at(14 * DAY));
    expect(before.incidents).toBe(4);
    expect(before.durations.toDetect).toEqual({ n: 1, medianS: 300, p90S: 300 });

    // Edited after that report: the impact started ten minutes before T0.
    await run(2 * DAY, () => svc.correctTimes(admin, { key: a.key, impactStartedAt: at(-10 * MIN) }));
    // A's post-mortem, written and completed the next day (deadline: five business days after resolve).
    await run(DAY, () => svc.addFollowUp(admin, { key: a.key, title: "Alert on 5xx", ownerId: "UBOB" }));
    const fu = await run(DAY, () => svc.addFollowUp(admin, { key: a.key, title: "Runbook", ownerId: "UBOB" }));
    await run(DAY, () => svc.completeFollowUp(admin, { key: a.key, followUpId: String(fu.followUpId) }));
    const text = "written";
    await run(DAY, () =>
      svc.updatePostmortem(admin, {
        key: a.key,
        details: text,
        timeline: text,
        impact: text,
        actionsTaken: text,
        rootCauses: text,
        followUps: text,
        newRisks: text,
        publicSummary: text,
      }),
    );
    await run(3 * DAY, () => svc.completePostmortem(admin, { key: a.key }));

    const r = await insights.report(PERIOD, at(14 * DAY));
    // A, B, C, F: D was not an incident, E is before the period.
    expect(r.incidents).toBe(4);
    expect(r.bySeverity).toEqual({ critical: 2, high: 0, medium: 1, low: 1, unclassified: 0 });
    expect(r.byImpactKind).toEqual({ unavailability: 2, degradedPerformance: 1, data: 0 });
    expect(r.reopened).toBe(1);
    expect(r.severityChanges).toBe(1);
    // Detect: A 15 min (edited start). Declare: A 20 min, B 0, C 60 min, F 0 -> [0, 0, 1200, 3600].
    expect(r.durations.toDetect).toEqual({ n: 1, medianS: 900, p90S: 900 });
    expect(r.durations.toDeclare).toEqual({ n: 4, medianS: 0, p90S: 3600 });
    // Mitigate: A 40 min (edited both ends), B 30 min (its first mitigation), F 60 min; C open.
    expect(r.durations.toMitigate).toEqual({ n: 3, medianS: 2400, p90S: 3600 });
    // Resolve: A 70 min, B 3 h (the final resolution), F 60 min.
    expect(r.durations.toResolve).toEqual({ n: 3, medianS: 4200, p90S: 10800 });
    expect(r.durations.toFirstUpdate).toEqual({ n: 1, medianS: 600, p90S: 600 });
    // A 1000 × 40 min + B 10 × (30 + 20 min, not the hour between resolve and reopen) + F 100 × 60 min.
    expect(r.blastRadius).toEqual({
      withCustomers: 3,
      customersAffected: 1110,
      maxCustomers: 1000,
      customerMinutes: 40_000 + 500 + 6000,
      multiComponent: 1,
      multiRegion: 1,
    });
    expect(r.components).toEqual([
      { component: "payments", incidents: 2 },
      { component: "api", incidents: 1 },
      { component: "control", incidents: 1 },
      { component: "dns", incidents: 1 },
    ]);
    // Owed by A and F; A complete on day 3 (due the next Monday), F past its deadline by day 14.
    expect(r.postmortems).toEqual({
      required: 2,
      completed: 1,
      waived: 0,
      completionRate: 0.5,
      judged: 2,
      onTime: 1,
      onTimeRate: 0.5,
    });
    expect(r.followUps).toEqual({ total: 2, done: 1, completionRate: 0.5 });
    expect(r.handoffs).toEqual({ total: 1, perIncident: 0.25 });
    expect(r.weeks).toEqual([
      {
        week: "2026-03-02",
        bySeverity: { critical: 2, high: 0, medium: 1, low: 1, unclassified: 0 },
        medianToMitigateS: 2400,
        medianToResolveS: 4200,
        customerMinutes: 46_500,
      },
    ]);
  });

  it.runIf(available(provider))("filters by severity and by component", async () => {
    const critical = await insights.report({ ...PERIOD, severity: ["critical"] }, at(14 * DAY));
    expect(critical.incidents).toBe(2);
    expect(critical.durations.toResolve).toEqual({ n: 2, medianS: 3600, p90S: 4200 });
    const payments = await insights.report({ ...PERIOD, component: "payments" }, at(14 * DAY));
    expect(payments.incidents).toBe(2);
    expect(payments.blastRadius.customerMinutes).toBe(40_500);
    expect(payments.components[0]).toEqual({ component: "payments", incidents: 2 });
    const none = await insights.report({ ...PERIOD, component: "nothing" }, at(14 * DAY));
    expect(none.incidents).toBe(0);
    expect(none.durations.toMitigate).toEqual({ n: 0, medianS: null, p90S: null });
    expect(none.postmortems.completionRate).toBeNull();
  });

  it.runIf(available(provider))("the drill-down measures a record the same way: the reopened incident", async () => {
    const record = await opened.store.loadIncident(keys.B as string);
    const m = measureIncident(
      {
        incident: record!.incident,
        events: record!.timeline,
        postmortem: record!.postmortem,
        followUps: {
          total: record!.followUps.length,
          done: record!.followUps.filter((f) => f.status === "done").length,
        },
      },
      POLICY,
    );
    expect(m.impact.intervals).toEqual([
      { start: at(2 * HOUR), end: at(2 * HOUR + 30 * MIN) },
      { start: at(4 * HOUR), end: at(4 * HOUR + 20 * MIN) },
    ]);
    expect(m.reopens).toBe(1);
    expect(m.toMitigateS).toBe(1800);
    expect(m.toResolveS).toBe(3 * 3600);
    expect(m.severity).toEqual({
      initial: "high",
      current: "medium",
      changes: [{ at: at(2 * HOUR + 5 * MIN), from: "high", to: "medium" }],
    });
    // An open incident's impact counts until the report's now: C is low with unknown customers, so no customer-minutes.
    const c = await opened.store.loadIncident(keys.C as string);
    const mc = measureIncident(
      { incident: c!.incident, events: c!.timeline, postmortem: null, followUps: { total: 0, done: 0 } },
      POLICY,
    );
    expect(mc.impact.ongoingSince).toEqual(at(DAY - HOUR));
    expect(mc.toMitigateS).toBeNull();
  });

  it.runIf(available(provider))(
    "a reopened incident that is open again has no resolution time, and its impact runs on",
    async () => {
      await run(3 * DAY, () => svc.reopen(admin, { key: keys.F as string, reason: "again" }));
      const r = await insights.report(PERIOD, at(3 * DAY + HOUR));
      // F: 60 min until its resolve, then an hour since the reopen: 100 × 120 min.
      expect(r.blastRadius.customerMinutes).toBe(40_000 + 500 + 100 * 120);
      expect(r.durations.toResolve).toEqual({ n: 2, medianS: 4200, p90S: 10800 });
      expect(r.durations.toMitigate.n).toBe(3);
      expect(r.reopened).toBe(2);
      // F's post-mortem is no longer owed while it is open; A's stays on time.
      expect(r.postmortems.judged).toBe(1);
    },
  );

  it.runIf(available(provider))(
    "a kept report follows a change that another replica measured, and is kept only for its own now",
    async () => {
      const asOf = at(3 * DAY + 2 * HOUR);
      const first = await insights.report(PERIOD, asOf);
      expect(await insights.report(PERIOD, asOf)).toBe(first);
      // Ongoing impact runs on: a later now is another report.
      expect((await insights.report(PERIOD, at(3 * DAY + 3 * HOUR))).blastRadius.customerMinutes).toBeGreaterThan(
        first.blastRadius.customerMinutes,
      );
      // C is mitigated, and a second replica (its own store on the same database) measures it first.
      await run(3 * DAY + 90 * MIN, () => svc.mitigate(admin, { key: keys.C as string }));
      const replica = createInsightsStore(opened.db, { provider, policy: POLICY });
      expect((await replica.report(PERIOD, asOf)).durations.toMitigate.n).toBe(first.durations.toMitigate.n + 1);
      // This one measures nothing itself, yet answers with C mitigated.
      expect(await insights.refresh()).toBe(0);
      const after = await insights.report(PERIOD, asOf);
      expect(after.durations.toMitigate.n).toBe(first.durations.toMitigate.n + 1);
    },
  );
});
