// The one definition of each per-incident metric (issue 14; the policy's
// "measuring blast radius, severity, and time to recovery"). Pure: computed
// from the incident as it stands (its lifecycle times, which people correct)
// and its timeline (which keeps what a reopen replaced). The store keeps the
// result per incident version for fast aggregates (src/store/insights-store.ts);
// the drill-down computes it from the loaded record with this same function.
import { addBusinessDays } from "../incidents/business-days.js";
import type { CompanyPolicy } from "../incidents/company-policy.js";
import type { PostmortemReminderPolicy } from "../incidents/context.js";
import type { Incident, Postmortem, Severity, TimelineEvent } from "../incidents/model.js";
import { postmortemRequired } from "../incidents/postmortem-rules.js";

/** The timeline events the metrics read; the rest are not needed to compute them. */
export const METRIC_EVENT_KINDS = [
  "status_changed",
  "severity_classified",
  "handoff_accepted",
  "status_update",
] as const;

export interface MeasureInput {
  incident: Incident;
  /** The incident's events, any order; only METRIC_EVENT_KINDS are read. */
  events: readonly Pick<TimelineEvent, "id" | "at" | "kind" | "data">[];
  postmortem: Pick<Postmortem, "status" | "completedAt"> | null;
  followUps: { total: number; done: number };
}

export interface MeasurePolicy {
  postmortem: CompanyPolicy["postmortem"];
  deadlineDays: PostmortemReminderPolicy["deadlineDays"];
}

/** One stretch of customer impact: from its start until mitigation (`end` null while it lasts). */
export interface ImpactInterval {
  start: Date;
  end: Date | null;
}

export interface SeverityChange {
  at: Date;
  from: Severity;
  to: Severity;
}

export interface IncidentMetrics {
  /** not_an_incident is left out of every aggregate: it turned out not to be one. */
  counted: boolean;
  /** Impact started as best known: impact started, else detected, else declared. */
  startedAt: Date;
  /** Durations in seconds, each from `startedAt`, null when an end is not known. */
  toDetectS: number | null;
  toDeclareS: number | null;
  /** Until the first mitigation (a reopen does not move it). */
  toMitigateS: number | null;
  /** Until the final resolution; null while the incident is open again after a reopen. */
  toResolveS: number | null;
  /** From declaring to the first status update. */
  toFirstUpdateS: number | null;
  impact: {
    intervals: ImpactInterval[];
    /** Seconds of ended intervals. */
    endedS: number;
    /** Start of an interval still going on, if any. */
    ongoingSince: Date | null;
  };
  blastRadius: { customers: number | null; components: string[]; regions: string[] };
  impactKinds: { unavailability: boolean; degradedPerformance: boolean; data: boolean };
  severity: { initial: Severity; current: Severity; changes: SeverityChange[] };
  reopens: number;
  handoffs: number;
  followUps: { total: number; done: number };
  postmortem: {
    required: boolean;
    status: "none" | "draft" | "complete" | "waived";
    /** Business days after the resolution (UTC), by severity; null until resolved. */
    dueAt: Date | null;
    /** Completed by the deadline; null while not completed. */
    completedOnTime: boolean | null;
  };
}

const secondsBetween = (a: Date | null, b: Date | null) =>
  a && b ? Math.max(0, Math.round((b.getTime() - a.getTime()) / 1000)) : null;

const iso = (v: unknown): Date | null => {
  if (typeof v !== "string") return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
};

const RESOLVED = new Set(["resolved", "closed"]);

/**
 * Impact intervals. A reopen ("impact coming back", or a resolved incident
 * found not to be) ends the previous interval at that episode's mitigation
 * (kept in the reopen event as the record held it, corrections included) and
 * starts a new one at the reopen. The current episode ends at the incident's
 * mitigation time, or the resolution if it was resolved without one.
 */
export function impactIntervals(incident: Incident, events: MeasureInput["events"]): ImpactInterval[] {
  const t = incident.times;
  const reopens = events
    .filter((e) => e.kind === "status_changed" && e.data.reopened === true)
    .sort((a, b) => a.id - b.id);
  const out: ImpactInterval[] = [];
  let start = t.impactStartedAt ?? t.detectedAt ?? t.declaredAt;
  for (const r of reopens) {
    const prev = (r.data.previous ?? {}) as Record<string, unknown>;
    const end = iso(prev.mitigatedAt) ?? iso(prev.resolvedAt) ?? iso(prev.closedAt) ?? r.at;
    out.push({ start, end: end < start ? start : end });
    start = r.at;
  }
  let end = t.mitigatedAt ?? t.resolvedAt ?? (incident.status === "not_an_incident" ? t.closedAt : null);
  if (end && end < start) end = start;
  out.push({ start, end });
  return out;
}

export function measureIncident(input: MeasureInput, policy: MeasurePolicy): IncidentMetrics {
  const { incident, events } = input;
  const t = incident.times;
  const sorted = [...events].sort((a, b) => a.id - b.id);
  const startedAt = t.impactStartedAt ?? t.detectedAt ?? t.declaredAt;

  const reopens = sorted.filter((e) => e.kind === "status_changed" && e.data.reopened === true);
  // The first mitigation: before any reopen it is the record's; after one, the first reopen kept it.
  const firstPrevious = (reopens[0]?.data.previous ?? null) as Record<string, unknown> | null;
  const firstMitigatedAt = firstPrevious
    ? (iso(firstPrevious.mitigatedAt) ?? iso(firstPrevious.resolvedAt) ?? t.mitigatedAt)
    : t.mitigatedAt;

  const intervals = impactIntervals(incident, sorted);
  let endedS = 0;
  let ongoingSince: Date | null = null;
  for (const iv of intervals) {
    if (iv.end) endedS += secondsBetween(iv.start, iv.end) ?? 0;
    else ongoingSince = iv.start;
  }

  const classified = sorted.filter((e) => e.kind === "severity_classified");
  const changes: SeverityChange[] = classified
    .filter((e) => e.data.from !== e.data.to)
    .map((e) => ({ at: e.at, from: e.data.from as Severity, to: e.data.to as Severity }));
  const initial = (classified[0]?.data.from as Severity | undefined) ?? incident.severity;

  const firstUpdate = sorted.find((e) => e.kind === "status_update");

  const required = postmortemRequired(incident, policy.postmortem);
  const resolved = RESOLVED.has(incident.status) ? t.resolvedAt : null;
  const dueAt = required && resolved ? addBusinessDays(resolved, policy.deadlineDays[incident.severity], "UTC") : null;
  const pm = input.postmortem;
  const completedAt = pm?.status === "complete" ? pm.completedAt : null;

  return {
    counted: incident.status !== "not_an_incident",
    startedAt,
    toDetectS: secondsBetween(t.impactStartedAt, t.detectedAt),
    toDeclareS: secondsBetween(startedAt, t.declaredAt),
    toMitigateS: secondsBetween(startedAt, firstMitigatedAt),
    toResolveS: secondsBetween(startedAt, resolved),
    toFirstUpdateS: secondsBetween(t.declaredAt, firstUpdate?.at ?? null),
    impact: { intervals, endedS, ongoingSince },
    blastRadius: {
      customers: incident.scope.customersAffected,
      components: [...new Set(incident.scope.components)],
      regions: [...new Set(incident.scope.regions)],
    },
    impactKinds: {
      unavailability: incident.impacts.includes("outage"),
      degradedPerformance: incident.impacts.includes("degraded_performance"),
      data: incident.impacts.includes("data_loss"),
    },
    severity: { initial, current: incident.severity, changes },
    reopens: reopens.length,
    handoffs: sorted.filter((e) => e.kind === "handoff_accepted").length,
    followUps: input.followUps,
    postmortem: {
      required,
      status: pm?.status ?? "none",
      dueAt,
      completedOnTime: completedAt && dueAt ? completedAt <= dueAt : completedAt ? true : null,
    },
  };
}

/** Seconds of impact up to `now` (an ongoing interval counts until then). */
export function impactSecondsAt(m: IncidentMetrics, now: Date): number {
  return m.impact.endedS + (m.impact.ongoingSince ? (secondsBetween(m.impact.ongoingSince, now) ?? 0) : 0);
}

/** Customers affected × minutes of impact; null when the number of customers is not known. */
export function customerMinutesAt(m: IncidentMetrics, now: Date): number | null {
  return m.blastRadius.customers === null ? null : (m.blastRadius.customers * impactSecondsAt(m, now)) / 60;
}

/** Monday (UTC) of the week of `d`, as YYYY-MM-DD: the bucket of the weekly charts. */
export function weekOf(d: Date): string {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const back = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}
