// Aggregates over a period: what `muster report` prints and /insights draws.
// The per-incident values come from measure.ts; these are their counts, sums
// and percentiles over the incidents declared in the period, computed by the
// store in SQL (src/store/insights-store.ts) so a year of 100,000 incidents
// stays fast. Definitions, once:
// - an incident is in the period when it was declared in [since, until);
//   not_an_incident is left out;
// - median and p90 are nearest-rank: the value at rank ceil(p × n) of the n
//   known values in ascending order (no interpolation: every figure is one
//   incident's real value);
// - customer-minutes: customers affected × minutes of impact (ongoing impact
//   counted until the report's `now`), over incidents that know their customers;
// - post-mortem completion: complete ÷ (required − waived); on time: completed
//   by the deadline ÷ those completed or past their deadline (not waived);
// - follow-up completion: done ÷ all follow-ups of those incidents;
// - hand-offs per incident: accepted hand-offs ÷ incidents.
import { AppError } from "../errors.js";
import { SEVERITIES, type Severity } from "../incidents/model.js";

export const REPORT_SEVERITIES: readonly Severity[] = [...SEVERITIES, "unclassified"];

export interface InsightsFilter {
  since: Date;
  until: Date;
  severity?: Severity[];
  component?: string;
}

export interface DurationStats {
  /** How many incidents know this duration. */
  n: number;
  medianS: number | null;
  p90S: number | null;
}

export const DURATIONS = ["toDetect", "toDeclare", "toMitigate", "toResolve", "toFirstUpdate"] as const;
export type DurationKey = (typeof DURATIONS)[number];

export const DURATION_LABELS: Record<DurationKey, string> = {
  toDetect: "Time to detect",
  toDeclare: "Time to declare",
  toMitigate: "Time to mitigate",
  toResolve: "Time to resolve",
  toFirstUpdate: "Time to first status update",
};

export interface WeekRow {
  week: string;
  bySeverity: Record<Severity, number>;
  medianToMitigateS: number | null;
  medianToResolveS: number | null;
  customerMinutes: number;
}

export interface InsightsReport {
  since: string;
  until: string;
  generatedAt: string;
  filter: { severity: Severity[] | null; component: string | null };
  incidents: number;
  bySeverity: Record<Severity, number>;
  byImpactKind: { unavailability: number; degradedPerformance: number; data: number };
  reopened: number;
  severityChanges: number;
  durations: Record<DurationKey, DurationStats>;
  blastRadius: {
    /** Incidents that know how many customers were affected. */
    withCustomers: number;
    customersAffected: number;
    maxCustomers: number | null;
    customerMinutes: number;
    /** Incidents touching more than one component, more than one region. */
    multiComponent: number;
    multiRegion: number;
  };
  components: { component: string; incidents: number }[];
  postmortems: {
    required: number;
    completed: number;
    waived: number;
    completionRate: number | null;
    judged: number;
    onTime: number;
    onTimeRate: number | null;
  };
  followUps: { total: number; done: number; completionRate: number | null };
  handoffs: { total: number; perIncident: number | null };
  weeks: WeekRow[];
}

export const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

export const emptyBySeverity = (): Record<Severity, number> =>
  Object.fromEntries(REPORT_SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;

/** Parses --since/--until style dates: YYYY-MM-DD (UTC midnight) or a full ISO time. */
export function parsePeriodDate(raw: string, what: string): Date {
  const s = raw.trim();
  const d = /^\d{4}-\d{2}-\d{2}$/.test(s) ? new Date(`${s}T00:00:00Z`) : new Date(s);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s) || Number.isNaN(d.getTime()))
    throw new AppError("validation", `${what} "${raw}" is not a date; write it like 2026-01-31.`);
  return d;
}

const DAY = 86_400_000;

/** The period asked for: until defaults to now, since to `defaultDays` (90) before until; since must come first. */
export function periodOf(
  raw: { since?: string; until?: string },
  now: Date,
  o: { defaultDays?: number; names?: [string, string] } = {},
): { since: Date; until: Date } {
  const [sinceName, untilName] = o.names ?? ["--since", "--until"];
  const until = raw.until ? parsePeriodDate(raw.until, untilName) : now;
  const since = raw.since
    ? parsePeriodDate(raw.since, sinceName)
    : new Date(until.getTime() - (o.defaultDays ?? 90) * DAY);
  if (since >= until)
    throw new AppError(
      "validation",
      `The period must start before it ends (since ${since.toISOString().slice(0, 10)}, until ${until.toISOString().slice(0, 10)}).`,
    );
  if (until.getTime() - since.getTime() > 10 * 366 * DAY)
    throw new AppError("validation", "A report covers at most ten years; shorten the period.");
  return { since, until };
}

/** One incident in the period, as the drill-down list shows it. */
export interface IncidentLine {
  key: string;
  title: string;
  private: boolean;
  severity: Severity;
  status: string;
  declaredAt: Date;
  toMitigateS: number | null;
  toResolveS: number | null;
  customers: number | null;
  components: number;
  reopens: number;
}

/**
 * Who is looking: a private incident is shown only to its responders (anyone
 * who held a role in it, or declared it) and to admins.
 */
export interface IncidentViewer {
  userId: string | null;
  isAdmin: boolean;
}

export function maySee(
  viewer: IncidentViewer,
  incident: { private: boolean; declaredBy: string },
  responders: readonly string[],
): boolean {
  if (!incident.private || viewer.isAdmin) return true;
  if (!viewer.userId) return false;
  return incident.declaredBy === viewer.userId || responders.includes(viewer.userId);
}

/** What the store answers for insights. */
export interface InsightsStore {
  /**
   * Measures every incident changed since the projection last caught up;
   * returns how many were. report and incidents measure only the first
   * thousand or so themselves, so a large backlog never lands in a page view.
   */
  refresh(): Promise<number>;
  report(filter: InsightsFilter, now: Date): Promise<InsightsReport>;
  /** The period's incidents the viewer may see, newest first, and how many private ones were left out. */
  incidents(
    filter: InsightsFilter,
    viewer: IncidentViewer,
    page: { limit: number; offset: number },
  ): Promise<{ lines: IncidentLine[]; total: number; hidden: number }>;
}
