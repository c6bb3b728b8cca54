// Reports that arrive from outside Slack and wait for a person to decide
// whether they are an incident: the public outage form and monitoring alerts.
// Both become the same thing, a triage report with one message in the
// incident channel and a Declare button; neither is an incident by itself.
import type { ClassifiedSeverity, ReportSource } from "../incidents/model.js";

export type TriageSource = Extract<ReportSource, "third_party" | "monitoring">;
/** open: an outage report; firing / resolved: an alert's last known state. */
export type TriageStatus = "open" | "firing" | "resolved";

/** One alert inside a report (Alertmanager groups several). */
export interface AlertInstance {
  status: "firing" | "resolved";
  /** A label line such as `instance=db-1 job=postgres`, for people. */
  labels: string;
  summary: string;
  startsAt: string | null;
}

export interface TriageDetails {
  /** The alert's labels, shown to responders. */
  labels?: Record<string, string>;
  alerts?: AlertInstance[];
  /** How many alerts the sender left out (Alertmanager's truncatedAlerts). */
  truncated?: number;
}

export interface TriageReport {
  id: string;
  source: TriageSource;
  /** Alerts: what makes repeats the same report within the dedup window. */
  dedupKey: string | null;
  /** The alert's name, or a short line from an outage report. */
  title: string;
  description: string;
  /** The reporter's address (outage form); null for alerts. */
  contact: string | null;
  component: string | null;
  severity: ClassifiedSeverity | null;
  status: TriageStatus;
  /** The alert's source link (authenticated senders only). */
  link: string | null;
  details: TriageDetails;
  /** How many times the alert arrived while this report held its key. */
  count: number;
  receivedAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
  /** Once declared: the incident and who declared it ("muster" for an alert rule). */
  incidentKey: string | null;
  declaredBy: string | null;
  declaredAt: Date | null;
  version: number;
}

/** What the declare form is pre-filled with from a report. */
export interface DeclareDraft {
  reportId: string;
  title: string;
  summary: string;
  reportSource: TriageSource;
  components: string[];
  severity: ClassifiedSeverity | null;
  /** Who reported it, in the incident's record (an address, or the alert's name). */
  reportedBy: string;
}
