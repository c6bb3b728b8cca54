// Insights on the database: the per-incident metrics of src/insights/measure.ts
// kept in IncidentMetric (a projection, recomputed when its incident's version
// moved on), and the period's aggregates as a few SQL statements over it, the
// same text on SQLite and PostgreSQL. The definitions are in
// src/insights/report.ts; percentiles are nearest-rank (rank ceil(p·n)), taken
// from the period's durations read in one pass. Results are kept per state of
// the projection, so a repeated view costs one catch-up.

import { createHash } from "node:crypto";
import type { Severity } from "../incidents/model.js";
import {
  type IncidentMetrics,
  METRIC_EVENT_KINDS,
  type MeasurePolicy,
  measureIncident,
  weekOf,
} from "../insights/measure.js";
import {
  DURATIONS,
  type DurationKey,
  type DurationStats,
  emptyBySeverity,
  type IncidentLine,
  type IncidentViewer,
  type InsightsFilter,
  type InsightsReport,
  type InsightsStore,
  ratio,
  type WeekRow,
} from "../insights/report.js";
import type { Db } from "./db.js";
import type { Provider } from "./hot-reads.js";
import { toEvent, toIncident } from "./incident-row.js";
import { aggregateTime, sqlTime } from "./prisma-job-store.js";

/** Rows written after the watermark minus this are checked again: a transaction may commit later than it stamped updatedAt. */
const SETTLE_MS = 5 * 60_000;
const BATCH = 250;
/** Parameters per INSERT: under SQLite's limit (32,766) and PostgreSQL's (65,535). */
const INSERT_PARAMETERS = 8_000;
/** The durations whose weekly median the trend charts draw. */
const WEEKLY_MEDIANS = ["toMitigate", "toResolve"] as const;
/**
 * Incidents a report or a page view measures before it answers (a few
 * seconds' work at most). A larger backlog (a first start on a long history,
 * a restore) is measured by the bot in the background at start-up and by
 * `muster report` before it reports.
 */
const INLINE_CATCH_UP = 1_000;
/** Reports and counts kept per projection state (a few periods and filters being looked at). */
const CACHED_RESULTS = 32;
type WeeklyKey = (typeof WEEKLY_MEDIANS)[number];

const ascending = (xs: number[]) => Float64Array.from(xs).sort();
/** Nearest-rank: the value at rank ceil(p·n) of the n known values in ascending order; none of none. */
const nearestRank = (sorted: Float64Array, pct: number): number | null =>
  sorted.length ? (sorted[Math.ceil((sorted.length * pct) / 100) - 1] ?? null) : null;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const flag = (b: boolean) => (b ? 1 : 0);

/** The projection row of one incident's metrics. */
function metricRow(
  incident: { id: string; version: number; updatedAt: Date; private: boolean },
  m: IncidentMetrics,
  declaredAt: Date,
  severity: Severity,
  status: string,
) {
  return {
    incidentId: incident.id,
    version: incident.version,
    incidentUpdatedAt: incident.updatedAt,
    declaredAtMs: declaredAt.getTime(),
    declaredWeek: weekOf(declaredAt),
    severity,
    status,
    private: flag(incident.private),
    counted: flag(m.counted),
    customers: m.blastRadius.customers,
    componentsCount: m.blastRadius.components.length,
    regionsCount: m.blastRadius.regions.length,
    unavailability: flag(m.impactKinds.unavailability),
    degraded: flag(m.impactKinds.degradedPerformance),
    dataImpact: flag(m.impactKinds.data),
    toDetectS: m.toDetectS,
    toDeclareS: m.toDeclareS,
    toMitigateS: m.toMitigateS,
    toResolveS: m.toResolveS,
    toFirstUpdateS: m.toFirstUpdateS,
    impactEndedS: m.impact.endedS,
    impactOngoingMs: m.impact.ongoingSince?.getTime() ?? null,
    severityChanges: m.severity.changes.length,
    reopens: m.reopens,
    handoffs: m.handoffs,
    followUps: m.followUps.total,
    followUpsDone: m.followUps.done,
    pmRequired: flag(m.postmortem.required),
    pmStatus: m.postmortem.status,
    pmDueMs: m.postmortem.dueAt?.getTime() ?? null,
    pmOnTime: m.postmortem.completedOnTime === null ? null : flag(m.postmortem.completedOnTime),
  };
}

export interface InsightsStoreOptions {
  provider: Provider;
  policy: MeasurePolicy;
}

export function createInsightsStore(db: Db, options: InsightsStoreOptions) {
  const { provider, policy } = options;

  /** Measures these incidents and replaces their projection rows. */
  async function measure(ids: string[]): Promise<void> {
    const [incidents, events, postmortems, followUps] = await Promise.all([
      db.incident.findMany({ where: { id: { in: ids } } }),
      db.timelineEvent.findMany({ where: { incidentId: { in: ids }, kind: { in: [...METRIC_EVENT_KINDS] } } }),
      db.postmortem.findMany({
        where: { incidentId: { in: ids } },
        select: { incidentId: true, status: true, completedAt: true },
      }),
      db.followUp.groupBy({ by: ["incidentId", "status"], where: { incidentId: { in: ids } }, _count: { _all: true } }),
    ]);
    const eventsOf = new Map<string, ReturnType<typeof toEvent>[]>();
    for (const e of events) {
      const list = eventsOf.get(e.incidentId) ?? [];
      list.push(toEvent(e));
      eventsOf.set(e.incidentId, list);
    }
    const pmOf = new Map(postmortems.map((p) => [p.incidentId, p]));
    const fuOf = new Map<string, { total: number; done: number }>();
    for (const f of followUps) {
      const c = fuOf.get(f.incidentId) ?? { total: 0, done: 0 };
      c.total += f._count._all;
      if (f.status === "done") c.done += f._count._all;
      fuOf.set(f.incidentId, c);
    }
    const rows = [];
    const components = [];
    for (const r of incidents) {
      const incident = toIncident(r);
      const m = measureIncident(
        {
          incident,
          events: eventsOf.get(r.id) ?? [],
          postmortem: pmOf.get(r.id) ?? null,
          followUps: fuOf.get(r.id) ?? { total: 0, done: 0 },
        },
        policy,
      );
      rows.push(metricRow(r, m, incident.times.declaredAt, incident.severity, incident.status));
      for (const component of m.blastRadius.components)
        components.push({ incidentId: r.id, component, declaredAtMs: incident.times.declaredAt.getTime() });
    }
    await db.$transaction(
      [
        db.incidentMetricComponent.deleteMany({ where: { incidentId: { in: ids } } }),
        db.incidentMetric.deleteMany({ where: { incidentId: { in: ids } } }),
        ...insertRows("IncidentMetric", rows),
        ...insertRows("IncidentMetricComponent", components),
        // A first measurement of a large history under load can outlast Prisma's 5 s default.
      ],
      { maxWait: 30_000, timeout: 120_000 },
    );
  }

  /**
   * Multi-row INSERTs of plain rows (same keys in each). createMany spent
   * about a millisecond a row building its statements, most of a first
   * measurement of a large history; these are a few statements per batch.
   */
  function insertRows(table: string, rows: Record<string, unknown>[]) {
    const first = rows[0];
    if (!first) return [];
    const columns = Object.keys(first);
    const perStatement = Math.max(1, Math.floor(INSERT_PARAMETERS / columns.length));
    const statements = [];
    for (let i = 0; i < rows.length; i += perStatement) {
      const { args, p } = query();
      const values = rows
        .slice(i, i + perStatement)
        .map((row) => `(${columns.map((c) => p(row[c] ?? null)).join(", ")})`)
        .join(", ");
      statements.push(
        db.$executeRawUnsafe(
          `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${values}`,
          ...args,
        ),
      );
    }
    return statements;
  }

  /**
   * Brings the projection up to date: incidents changed since the newest
   * measured change (less a settling margin) whose version differs are
   * measured again. Returns how many were.
   */
  async function refresh(): Promise<number> {
    return (await catchUp(Number.POSITIVE_INFINITY)).measured;
  }

  /**
   * refresh, and a digest of what the projection then holds: the newest
   * measured change and the id and version of every incident changed since
   * it (less the settling margin). Any measurement, by this process or
   * another replica, changes it: a new or re-measured row's incident is in
   * that window, or moved the newest change on. Measures at most about
   * `limit` incidents (whole batches); `complete` says whether every change
   * found is now measured.
   */
  async function catchUp(limit: number): Promise<{ measured: number; complete: boolean; state: string }> {
    // Raw statements: every report and page view starts here, and a short-lived `muster report`
    // paid the query builder's first-use cost for each of these shapes.
    const ts = provider === "postgresql" ? "$1::timestamp(3)" : "?";
    const [newest] = await db.$queryRawUnsafe<{ mark: Date | string | null }[]>(
      `SELECT MAX(m."incidentUpdatedAt") AS "mark" FROM "IncidentMetric" m`,
    );
    const mark = aggregateTime(newest?.mark ?? null);
    // Nothing measured yet: every incident (the same indexed statement, from the epoch).
    // Oldest change first: the watermark (the newest change measured) then only passes a measured prefix,
    // so a refresh that fails part-way leaves nothing behind it unmeasured.
    const changed = (
      await db.$queryRawUnsafe<{ id: string; version: number | bigint }[]>(
        `SELECT i."id" AS "id", i."version" AS "version" FROM "Incident" i
         WHERE i."updatedAt" >= ${ts} ORDER BY i."updatedAt", i."id"`,
        sqlTime(provider, new Date(mark ? mark.getTime() - SETTLE_MS : 0)),
      )
    ).map((c) => ({ id: c.id, version: Number(c.version) }));
    let measured = 0;
    let checked = 0;
    for (let i = 0; i < changed.length && measured < limit; i += BATCH) {
      const batch = changed.slice(i, i + BATCH);
      const { args, p } = query();
      const known = await db.$queryRawUnsafe<{ incidentId: string; version: number | bigint }[]>(
        `SELECT m."incidentId" AS "incidentId", m."version" AS "version" FROM "IncidentMetric" m
         WHERE m."incidentId" IN (${batch.map((c) => p(c.id)).join(", ")})`,
        ...args,
      );
      const versionOf = new Map(known.map((k) => [k.incidentId, Number(k.version)]));
      const stale = batch.filter((c) => versionOf.get(c.id) !== c.version).map((c) => c.id);
      if (stale.length) await measure(stale);
      measured += stale.length;
      checked += batch.length;
    }
    const digest = createHash("sha256").update(mark?.toISOString() ?? "");
    for (const c of changed) digest.update(`\n${c.id}:${c.version}`);
    return { measured, complete: checked === changed.length, state: digest.digest("base64") };
  }

  // Results by the projection's state (catchUp): a repeated view, here or on
  // any replica, costs one catch-up; a change anywhere empties it.
  const results = new Map<string, unknown>();
  let resultsState = "";
  async function cached<T>(state: string | null, key: unknown[], compute: () => Promise<T>): Promise<T> {
    if (state === null) return compute();
    if (state !== resultsState) {
      results.clear();
      resultsState = state;
    }
    const k = JSON.stringify(key);
    if (results.has(k)) return results.get(k) as T;
    const value = await compute();
    if (resultsState === state) {
      const oldest = results.keys().next();
      if (results.size >= CACHED_RESULTS && !oldest.done) results.delete(oldest.value);
      results.set(k, value);
    }
    return value;
  }

  const filterKey = (f: InsightsFilter) => [
    f.since.getTime(),
    f.until.getTime(),
    f.severity ?? null,
    f.component ?? null,
  ];

  /** SQL pieces with their parameters, numbered for PostgreSQL. */
  function query() {
    const args: unknown[] = [];
    const p = (v: unknown) => {
      args.push(v);
      return provider === "postgresql" ? `$${args.length}` : "?";
    };
    return { args, p };
  }

  function where(filter: InsightsFilter, p: (v: unknown) => string, alias = "m"): string {
    const parts = [
      `${alias}."counted" = 1`,
      `${alias}."declaredAtMs" >= ${p(filter.since.getTime())}`,
      `${alias}."declaredAtMs" < ${p(filter.until.getTime())}`,
    ];
    if (filter.severity?.length) parts.push(`${alias}."severity" IN (${filter.severity.map((s) => p(s)).join(", ")})`);
    if (filter.component)
      parts.push(
        `EXISTS (SELECT 1 FROM "IncidentMetricComponent" fc WHERE fc."incidentId" = ${alias}."incidentId" AND fc."component" = ${p(filter.component)})`,
      );
    return parts.join(" AND ");
  }

  /** Customer-minutes of one row, ongoing impact counted until `now`. */
  const customerMinutes = (p: (v: unknown) => string, now: Date) =>
    `m."customers" * (m."impactEndedS" + CASE WHEN m."impactOngoingMs" IS NULL OR m."impactOngoingMs" > ${p(now.getTime())} THEN 0 ELSE (${p(now.getTime())} - m."impactOngoingMs") / 1000 END) / 60`;

  async function totals(filter: InsightsFilter, now: Date) {
    const { args, p } = query();
    const cm = customerMinutes(p, now);
    const nowMs = p(now.getTime());
    const sql = `SELECT COUNT(*) AS "incidents",
        SUM(m."unavailability") AS "unavailability", SUM(m."degraded") AS "degraded", SUM(m."dataImpact") AS "dataImpact",
        SUM(CASE WHEN m."reopens" > 0 THEN 1 ELSE 0 END) AS "reopened", SUM(m."severityChanges") AS "severityChanges",
        COUNT(m."customers") AS "withCustomers", SUM(m."customers") AS "customersAffected", MAX(m."customers") AS "maxCustomers",
        SUM(${cm}) AS "customerMinutes",
        SUM(CASE WHEN m."componentsCount" > 1 THEN 1 ELSE 0 END) AS "multiComponent",
        SUM(CASE WHEN m."regionsCount" > 1 THEN 1 ELSE 0 END) AS "multiRegion",
        SUM(m."pmRequired") AS "pmRequired",
        SUM(CASE WHEN m."pmRequired" = 1 AND m."pmStatus" = 'complete' THEN 1 ELSE 0 END) AS "pmCompleted",
        SUM(CASE WHEN m."pmRequired" = 1 AND m."pmStatus" = 'waived' THEN 1 ELSE 0 END) AS "pmWaived",
        SUM(CASE WHEN m."pmRequired" = 1 AND (m."pmStatus" = 'complete' OR (m."pmStatus" <> 'waived' AND m."pmDueMs" < ${nowMs})) THEN 1 ELSE 0 END) AS "pmJudged",
        SUM(CASE WHEN m."pmRequired" = 1 AND m."pmStatus" = 'complete' AND m."pmOnTime" = 1 THEN 1 ELSE 0 END) AS "pmOnTime",
        SUM(m."followUps") AS "followUps", SUM(m."followUpsDone") AS "followUpsDone", SUM(m."handoffs") AS "handoffs"
      FROM "IncidentMetric" m WHERE ${where(filter, p)}`;
    const [row] = await db.$queryRawUnsafe<Record<string, unknown>[]>(sql, ...args);
    return row ?? {};
  }

  /**
   * Median and p90 of each duration over the period, and each week's median
   * time to mitigate and to resolve, nearest-rank (see nearestRank). The
   * period's durations are read in one pass and ranked here: sorting them in
   * SQL, once per figure or with a window per order, took SQLite several
   * times as long as reading them.
   */
  async function distribution(filter: InsightsFilter) {
    const { args, p } = query();
    // Each week's values of each duration as one text list: a row per week crosses the driver
    // instead of a row per incident (most of the time this took). Both databases print a float
    // so that it reads back as the same number (a duration is whole milliseconds: ≤ 15 digits).
    const list = (k: DurationKey) =>
      provider === "postgresql" ? `string_agg(m."${k}S"::text, ',')` : `group_concat(m."${k}S", ',')`;
    const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(
      `SELECT m."declaredWeek" AS "week", ${DURATIONS.map((k) => `${list(k)} AS "${k}"`).join(", ")}
       FROM "IncidentMetric" m WHERE ${where(filter, p)} GROUP BY m."declaredWeek"`,
      ...args,
    );
    const values = (v: unknown): number[] => (typeof v === "string" && v ? v.split(",").map(Number) : []);
    const known = Object.fromEntries(DURATIONS.map((k) => [k, [] as number[]])) as Record<DurationKey, number[]>;
    const weekly = new Map<string, Record<WeeklyKey, number[]>>();
    for (const r of rows) {
      const week: Partial<Record<DurationKey, number[]>> = {};
      for (const k of DURATIONS) {
        week[k] = values(r[k]);
        for (const v of week[k]) known[k].push(v);
      }
      weekly.set(String(r.week), { toMitigate: week.toMitigate ?? [], toResolve: week.toResolve ?? [] });
    }
    const durations = Object.fromEntries(
      DURATIONS.map((k) => {
        const sorted = ascending(known[k]);
        return [k, { n: sorted.length, medianS: nearestRank(sorted, 50), p90S: nearestRank(sorted, 90) }];
      }),
    ) as Record<DurationKey, DurationStats>;
    const weekMedians = new Map<string, Record<WeeklyKey, number | null>>();
    for (const [week, w] of weekly)
      weekMedians.set(week, {
        toMitigate: nearestRank(ascending(w.toMitigate), 50),
        toResolve: nearestRank(ascending(w.toResolve), 50),
      });
    return { durations, weekMedians };
  }

  async function weeks(
    filter: InsightsFilter,
    now: Date,
    medians: Map<string, Record<WeeklyKey, number | null>>,
  ): Promise<WeekRow[]> {
    const counts = query();
    const countRows = await db.$queryRawUnsafe<{ week: string; severity: Severity; n: unknown; cm: unknown }[]>(
      `SELECT m."declaredWeek" AS "week", m."severity" AS "severity", COUNT(*) AS "n",
         SUM(${customerMinutes(counts.p, now)}) AS "cm"
       FROM "IncidentMetric" m WHERE ${where(filter, counts.p)} GROUP BY m."declaredWeek", m."severity"`,
      ...counts.args,
    );
    const byWeek = new Map<string, WeekRow>();
    for (const c of countRows) {
      let r = byWeek.get(c.week);
      if (!r) {
        const m = medians.get(c.week);
        r = {
          week: c.week,
          bySeverity: emptyBySeverity(),
          medianToMitigateS: m?.toMitigate ?? null,
          medianToResolveS: m?.toResolve ?? null,
          customerMinutes: 0,
        };
        byWeek.set(c.week, r);
      }
      r.bySeverity[c.severity] = num(c.n);
      r.customerMinutes += num(c.cm);
    }
    return [...byWeek.values()].sort((a, b) => a.week.localeCompare(b.week));
  }

  async function components(filter: InsightsFilter, limit: number) {
    const { args, p } = query();
    const rows = await db.$queryRawUnsafe<{ component: string; n: unknown }[]>(
      // CROSS JOIN keeps SQLite to this order: the period's metric rows, then each one's components
      // by key (index-only). Left to itself it walked every component row of all time to save a
      // sort of the groups. PostgreSQL plans it as any inner join.
      `SELECT c."component" AS "component", COUNT(*) AS "n"
       FROM "IncidentMetric" m CROSS JOIN "IncidentMetricComponent" c
       WHERE c."incidentId" = m."incidentId" AND ${where(filter, p)}
       GROUP BY c."component" ORDER BY COUNT(*) DESC, c."component" LIMIT ${p(limit)}`,
      ...args,
    );
    return rows.map((r) => ({ component: r.component, incidents: num(r.n) }));
  }

  async function report(filter: InsightsFilter, now: Date): Promise<InsightsReport> {
    const { complete, state } = await catchUp(INLINE_CATCH_UP);
    if (!complete) return aggregate(filter, now);
    // `now` is part of the key: ongoing impact and post-mortems coming due are counted until it.
    return cached(state, ["report", ...filterKey(filter), now.getTime()], () => aggregate(filter, now));
  }

  async function aggregate(filter: InsightsFilter, now: Date): Promise<InsightsReport> {
    // One connection on SQLite runs them one after another anyway; PostgreSQL overlaps them.
    const [t, top, { durations, weekMedians }] = await Promise.all([
      totals(filter, now),
      components(filter, 20),
      distribution(filter),
    ]);
    const weekRows = await weeks(filter, now, weekMedians);
    const bySeverity = emptyBySeverity();
    for (const w of weekRows) for (const [s, n] of Object.entries(w.bySeverity)) bySeverity[s as Severity] += n;
    const incidents = num(t.incidents);
    const pm = {
      required: num(t.pmRequired),
      completed: num(t.pmCompleted),
      waived: num(t.pmWaived),
      judged: num(t.pmJudged),
      onTime: num(t.pmOnTime),
    };
    return {
      since: filter.since.toISOString(),
      until: filter.until.toISOString(),
      generatedAt: now.toISOString(),
      filter: { severity: filter.severity ?? null, component: filter.component ?? null },
      incidents,
      bySeverity,
      byImpactKind: {
        unavailability: num(t.unavailability),
        degradedPerformance: num(t.degraded),
        data: num(t.dataImpact),
      },
      reopened: num(t.reopened),
      severityChanges: num(t.severityChanges),
      durations,
      blastRadius: {
        withCustomers: num(t.withCustomers),
        customersAffected: num(t.customersAffected),
        maxCustomers: numOrNull(t.maxCustomers),
        customerMinutes: num(t.customerMinutes),
        multiComponent: num(t.multiComponent),
        multiRegion: num(t.multiRegion),
      },
      components: top,
      postmortems: {
        ...pm,
        completionRate: ratio(pm.completed, pm.required - pm.waived),
        onTimeRate: ratio(pm.onTime, pm.judged),
      },
      followUps: {
        total: num(t.followUps),
        done: num(t.followUpsDone),
        completionRate: ratio(num(t.followUpsDone), num(t.followUps)),
      },
      handoffs: { total: num(t.handoffs), perIncident: ratio(num(t.handoffs), incidents) },
      weeks: weekRows,
    };
  }

  /** The private-incident rule of maySee (report.ts), as SQL: declared it, held a role in it, or an admin. */
  function visible(viewer: IncidentViewer, p: (v: unknown) => string): string {
    if (viewer.isAdmin) return "1 = 1";
    if (!viewer.userId) return `m."private" = 0`;
    const u = p(viewer.userId);
    const u2 = p(viewer.userId);
    return `(m."private" = 0 OR i."declaredBy" = ${u} OR EXISTS (SELECT 1 FROM "RoleAssignment" r WHERE r."incidentId" = m."incidentId" AND r."userId" = ${u2}))`;
  }

  async function incidents(filter: InsightsFilter, viewer: IncidentViewer, page: { limit: number; offset: number }) {
    const catchUpState = await catchUp(INLINE_CATCH_UP);
    // A projection still catching up is not kept: what it holds is neither complete nor named by its state.
    const state = catchUpState.complete ? catchUpState.state : null;
    const list = query();
    const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(
      `SELECT i."key" AS "key", i."title" AS "title", m."private" AS "private", m."severity" AS "severity",
         m."status" AS "status", m."declaredAtMs" AS "declaredAtMs", m."toMitigateS" AS "toMitigateS",
         m."toResolveS" AS "toResolveS", m."customers" AS "customers", m."componentsCount" AS "components",
         m."reopens" AS "reopens"
       FROM "IncidentMetric" m JOIN "Incident" i ON i."id" = m."incidentId"
       WHERE ${where(filter, list.p)} AND ${visible(viewer, list.p)}
       ORDER BY m."declaredAtMs" DESC, i."key" LIMIT ${list.p(page.limit)} OFFSET ${list.p(page.offset)}`,
      ...list.args,
    );
    // Counted without the join; only the period's private incidents are joined to judge them.
    const counts = query();
    const c = await cached(state, ["counts", ...filterKey(filter)], async () => {
      const [row] = await db.$queryRawUnsafe<{ total: unknown; private: unknown }[]>(
        `SELECT COUNT(*) AS "total", SUM(m."private") AS "private" FROM "IncidentMetric" m WHERE ${where(filter, counts.p)}`,
        ...counts.args,
      );
      return { total: num(row?.total), private: num(row?.private) };
    });
    let hidden = 0;
    if (c.private > 0 && !viewer.isAdmin) {
      const seen = query();
      const v = await cached(state, ["seen", ...filterKey(filter), viewer.userId], async () => {
        const [row] = await db.$queryRawUnsafe<{ n: unknown }[]>(
          `SELECT COUNT(*) AS "n" FROM "IncidentMetric" m JOIN "Incident" i ON i."id" = m."incidentId"
           WHERE ${where(filter, seen.p)} AND m."private" = 1 AND ${visible(viewer, seen.p)}`,
          ...seen.args,
        );
        return num(row?.n);
      });
      hidden = c.private - v;
    }
    const lines: IncidentLine[] = rows.map((r) => ({
      key: String(r.key),
      title: String(r.title),
      private: num(r.private) === 1,
      severity: r.severity as Severity,
      status: String(r.status),
      declaredAt: new Date(num(r.declaredAtMs)),
      toMitigateS: numOrNull(r.toMitigateS),
      toResolveS: numOrNull(r.toResolveS),
      customers: numOrNull(r.customers),
      components: num(r.components),
      reopens: num(r.reopens),
    }));
    return { lines, total: c.total - hidden, hidden };
  }

  const store: InsightsStore = { report, refresh, incidents };
  return store;
}
