// The public status page's model, computed from published incidents. Every
// public type here is an allow-list: it is built field by field from the
// public-store row, so a field is public only if it is written out below.
// Words and levels follow Statuspage's, so its widgets read muster unchanged.
import type { PublishedIncidentRow } from "../store/public-store.js";

export type ComponentStatus = "operational" | "degraded_performance" | "partial_outage" | "major_outage";
export type Indicator = "none" | "minor" | "major" | "critical";
export type PublicStatus = "investigating" | "identified" | "monitoring" | "resolved" | "postmortem";
export type ImpactKind = "unavailability" | "latency" | "data" | "disruption";

export interface ScopeBand {
  upTo: number | null;
  words: string;
}

export interface PublicUpdate {
  id: string;
  status: PublicStatus;
  body: string;
  at: Date;
}

export interface PublicIncident {
  id: string;
  name: string;
  status: PublicStatus;
  impact: Indicator;
  /** What the incident does to its components while it lasts. */
  componentStatus: ComponentStatus;
  components: string[];
  kind: ImpactKind;
  /** "a small number of customers"; null when the count is not known. */
  scope: string | null;
  /** When customers were first affected. */
  startedAt: Date;
  /** When the impact ended (mitigated, else resolved); null while it lasts. */
  impactEndedAt: Date | null;
  monitoringAt: Date | null;
  resolvedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  updates: PublicUpdate[];
  postmortem: string | null;
}

const RANK: Record<ComponentStatus, number> = {
  operational: 0,
  degraded_performance: 1,
  partial_outage: 2,
  major_outage: 3,
};
const INDICATOR_RANK: Record<Indicator, number> = { none: 0, minor: 1, major: 2, critical: 3 };

export const worstStatus = (xs: ComponentStatus[]): ComponentStatus =>
  xs.reduce<ComponentStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), "operational");
export const worstIndicator = (xs: Indicator[]): Indicator =>
  xs.reduce<Indicator>((a, b) => (INDICATOR_RANK[b] > INDICATOR_RANK[a] ? b : a), "none");

/** Statuspage's words for the page's overall state. */
export const INDICATOR_WORDS: Record<Indicator, string> = {
  none: "All Systems Operational",
  minor: "Minor Service Outage",
  major: "Partial System Outage",
  critical: "Major Service Outage",
};

export const STATUS_WORDS: Record<ComponentStatus, string> = {
  operational: "Operational",
  degraded_performance: "Degraded performance",
  partial_outage: "Partial outage",
  major_outage: "Major outage",
};

export const KIND_WORDS: Record<ImpactKind, string> = {
  unavailability: "Unavailability: some actions could not be completed",
  latency: "Increased latency: things worked, but slower",
  data: "Data: some data was affected",
  disruption: "Service disruption",
};

export const PUBLIC_STATUS_WORDS: Record<PublicStatus, string> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
  postmortem: "Postmortem",
};

function kindOf(impacts: string[]): ImpactKind {
  if (impacts.includes("outage")) return "unavailability";
  if (impacts.includes("degraded_performance")) return "latency";
  if (impacts.includes("data_loss")) return "data";
  return "disruption";
}

function impactOf(severity: string, kind: ImpactKind): Indicator {
  switch (severity) {
    case "critical":
      return "critical";
    case "high":
      return "major";
    case "medium":
      return "minor";
    case "low":
      return "none";
    default:
      return kind === "unavailability" ? "major" : "minor";
  }
}

function componentStatusOf(kind: ImpactKind, impact: Indicator): ComponentStatus {
  if (kind === "unavailability") return impact === "critical" ? "major_outage" : "partial_outage";
  return "degraded_performance";
}

/** The words for a number of customers affected, from the configured bands. */
export function scopeWords(customers: number | null, bands: readonly ScopeBand[]): string | null {
  if (customers === null || customers <= 0) return null;
  return (bands.find((b) => b.upTo === null || customers <= b.upTo) ?? bands.at(-1))?.words ?? null;
}

/** Where the incident stood at `at`, from its lifecycle times (so an edited time moves it). */
function statusAt(row: PublishedIncidentRow, at: Date): PublicStatus {
  if (row.resolvedAt && at >= row.resolvedAt) return "resolved";
  if (row.mitigatedAt && at >= row.mitigatedAt) return "monitoring";
  return "investigating";
}

export function toPublicIncident(row: PublishedIncidentRow, bands: readonly ScopeBand[]): PublicIncident {
  const kind = kindOf(row.impacts);
  const impact = impactOf(row.severity, kind);
  const ended = row.status === "resolved" || row.status === "closed";
  const resolvedAt = ended ? (row.resolvedAt ?? row.mitigatedAt ?? row.declaredAt) : null;
  const startedAt = row.impactStartedAt ?? row.detectedAt ?? row.declaredAt;
  const impactEndedAt = row.mitigatedAt ?? resolvedAt;
  const status: PublicStatus = ended
    ? row.postmortemSummary
      ? "postmortem"
      : "resolved"
    : row.status === "mitigated"
      ? "monitoring"
      : "investigating";
  const updates = row.updates.map((u) => ({
    id: u.id,
    status: statusAt(row, u.postedAt),
    body: u.text,
    at: u.postedAt,
  }));
  const times = [row.publicationUpdatedAt, ...updates.map((u) => u.at), resolvedAt, row.mitigatedAt].filter(
    (d): d is Date => d instanceof Date,
  );
  return {
    id: row.publicId,
    name: row.title,
    status,
    impact,
    componentStatus: componentStatusOf(kind, impact),
    components: [...row.components],
    kind,
    scope: scopeWords(row.customersAffected, bands),
    startedAt,
    impactEndedAt: impactEndedAt && impactEndedAt < startedAt ? startedAt : impactEndedAt,
    monitoringAt: row.mitigatedAt,
    resolvedAt,
    createdAt: row.publishedAt,
    updatedAt: new Date(Math.max(...times.map((d) => d.getTime()))),
    updates,
    postmortem: row.postmortemSummary,
  };
}

export const isOpen = (i: PublicIncident) => i.status !== "resolved" && i.status !== "postmortem";

/** How long customers were affected, up to `now` while it lasts. */
export const durationMs = (i: PublicIncident, now: Date) =>
  Math.max(0, (i.impactEndedAt ?? now).getTime() - i.startedAt.getTime());

export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return "less than a minute";
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const hours = `${h} hour${h === 1 ? "" : "s"}`;
  return m ? `${hours} ${m} minute${m === 1 ? "" : "s"}` : hours;
}

export interface DayBar {
  /** UTC date, YYYY-MM-DD. */
  date: string;
  status: ComponentStatus;
  /** Minutes of impact that day, by the worst status. */
  minutes: number;
  incidents: { id: string; name: string }[];
}

export interface ComponentView {
  name: string;
  status: ComponentStatus;
  days: DayBar[];
  /** Share of the window without a partial or major outage, in percent. */
  uptime: number;
}

export interface StatusView {
  indicator: Indicator;
  description: string;
  components: ComponentView[];
  open: PublicIncident[];
  /** Incidents in the window, newest first, by the UTC day they started. */
  history: { date: string; incidents: PublicIncident[] }[];
  updatedAt: Date;
  /** Midnight UTC of the window's first day: stable for a day, so answers can be cached by ETag. */
  windowStart: Date;
}

const DAY = 24 * 60 * 60_000;
export const WINDOW_DAYS = 90;

const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/** The page: current state, 90 daily bars per component from impact intervals, history by day. */
export function statusView(
  incidents: PublicIncident[],
  o: { components: readonly string[]; now: Date; days?: number },
): StatusView {
  const days = o.days ?? WINDOW_DAYS;
  const { now } = o;
  const todayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const windowStart = todayStart - (days - 1) * DAY;
  const inWindow = incidents.filter((i) => (i.impactEndedAt ?? now).getTime() >= windowStart || isOpen(i));
  const names = o.components.length
    ? [...o.components]
    : [...new Set(inWindow.flatMap((i) => i.components))].sort((a, b) => a.localeCompare(b));
  const open = inWindow.filter(isOpen);
  const components = names.map((name): ComponentView => {
    const touching = inWindow.filter((i) => i.components.includes(name));
    const bars: DayBar[] = [];
    let outageMs = 0;
    for (let d = 0; d < days; d++) {
      const from = windowStart + d * DAY;
      const to = Math.min(from + DAY, now.getTime());
      let status: ComponentStatus = "operational";
      let minutes = 0;
      const hit: { id: string; name: string }[] = [];
      for (const i of touching) {
        const a = Math.max(from, i.startedAt.getTime());
        const b = Math.min(to, (i.impactEndedAt ?? now).getTime());
        if (b <= a && !(a === b && i.startedAt.getTime() >= from && i.startedAt.getTime() < from + DAY)) continue;
        hit.push({ id: i.id, name: i.name });
        const ms = Math.max(0, b - a);
        if (RANK[i.componentStatus] > RANK[status]) {
          status = i.componentStatus;
          minutes = Math.round(ms / 60_000);
        } else if (i.componentStatus === status) minutes = Math.max(minutes, Math.round(ms / 60_000));
        if (RANK[i.componentStatus] >= RANK.partial_outage) outageMs += ms;
      }
      bars.push({ date: utcDay(new Date(from)), status, minutes, incidents: hit });
    }
    const total = now.getTime() - windowStart;
    return {
      name,
      status: worstStatus(open.filter((i) => i.components.includes(name)).map((i) => i.componentStatus)),
      days: bars,
      uptime: total > 0 ? Math.max(0, 100 * (1 - outageMs / total)) : 100,
    };
  });
  const indicator = worstIndicator(open.map((i) => i.impact));
  const byDay = new Map<string, PublicIncident[]>();
  for (const i of [...inWindow].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())) {
    const key = utcDay(i.startedAt);
    byDay.set(key, [...(byDay.get(key) ?? []), i]);
  }
  const stamps = inWindow.map((i) => i.updatedAt.getTime());
  return {
    indicator,
    description: INDICATOR_WORDS[indicator],
    components,
    open,
    history: [...byDay.entries()].map(([date, list]) => ({ date, incidents: list })),
    updatedAt: new Date(stamps.length ? Math.max(...stamps) : windowStart),
    windowStart: new Date(windowStart),
  };
}
