// The incident record as the domain sees it. Plain data: no ORM types leak
// in, the store maps rows to these shapes.

export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type ClassifiedSeverity = (typeof SEVERITIES)[number];
export type Severity = ClassifiedSeverity | "unclassified";

export const STATUSES = ["investigating", "mitigated", "resolved", "closed", "not_an_incident"] as const;
export type Status = (typeof STATUSES)[number];

export const IMPACTS = ["outage", "degraded_performance", "data_loss", "security_breach", "customer_facing"] as const;
export type Impact = (typeof IMPACTS)[number];

export const REPORT_SOURCES = ["on_call", "monitoring", "employee", "customer", "third_party"] as const;
export type ReportSource = (typeof REPORT_SOURCES)[number];

export const VENDOR_ANSWERS = ["pending", "not_affected", "compromised"] as const;
export type VendorAnswer = (typeof VENDOR_ANSWERS)[number];

/** Role keys. `commander` and `communications` always exist; more come from config. */
export const COMMANDER = "commander";
export const COMMUNICATIONS = "communications";

export interface Scope {
  components: string[];
  regions: string[];
  /** The blast radius in customers, when known. */
  customersAffected: number | null;
  /** Affected customers or tenants by name: each is proposed for the resolution checklist. */
  customers: string[];
}

export interface IncidentTimes {
  impactStartedAt: Date | null;
  detectedAt: Date | null;
  declaredAt: Date;
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
}

export interface Incident {
  id: string;
  number: number;
  key: string;
  title: string;
  summary: string;
  status: Status;
  severity: Severity;
  impacts: Impact[];
  scope: Scope;
  assetRisk: string;
  private: boolean;
  /** "Data or processes disrupted": the BCP/DR recovery checklist applies (as it does to a data loss). */
  disrupted: boolean;
  reportSource: ReportSource;
  reportedBy: string | null;
  declaredBy: string;
  times: IncidentTimes;
  resolutionSummary: string | null;
  /** The parties told it was resolved, by label (the resolution checklist's "told" items; free text before it). */
  partiesInformed: string[];
  version: number;
}

export interface RoleAssignment {
  id: string;
  incidentId: string;
  role: string;
  userId: string;
  assignedBy: string;
  assignedAt: Date;
  endedAt: Date | null;
  endedBy: string | null;
}

export type HandoffStatus = "pending" | "accepted" | "declined" | "cancelled";

export interface Handoff {
  id: string;
  incidentId: string;
  fromUserId: string;
  toUserId: string;
  note: string;
  status: HandoffStatus;
  proposedBy: string;
  proposedAt: Date;
  answeredAt: Date | null;
  declineReason: string | null;
}

export interface StatusUpdate {
  id: string;
  incidentId: string;
  authorId: string;
  internalText: string;
  publicText: string | null;
  postedAt: Date;
}

export interface Escalation {
  id: string;
  incidentId: string;
  escalatedBy: string;
  reason: string;
  at: Date;
}

export interface VendorCheck {
  id: string;
  incidentId: string;
  vendor: string;
  askedBy: string;
  askedAt: Date;
  answer: VendorAnswer;
  answeredAt: Date | null;
  notes: string | null;
  /** When an answer is needed by. */
  deadline: Date | null;
}

export interface FollowUp {
  id: string;
  incidentId: string;
  title: string;
  ownerId: string;
  dueDate: Date | null;
  status: "open" | "done";
  createdBy: string;
  createdAt: Date;
}

export const RISK_STATUSES = ["open", "accepted", "mitigated", "closed"] as const;
export type RiskStatus = (typeof RISK_STATUSES)[number];
export const RISK_LEVELS = ["low", "medium", "high"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
/** Where a risk was entered. */
export const RISK_SOURCES = ["slack", "postmortem", "cli"] as const;

export interface Risk {
  id: string;
  /** The incident that revealed it. */
  incidentId: string;
  /** Empty on risks entered before the register had titles: the description stands in. */
  title: string;
  description: string;
  likelihood: RiskLevel | null;
  impact: RiskLevel | null;
  ownerId: string | null;
  /** When its owner is reminded to review it. */
  reviewAt: Date | null;
  status: RiskStatus;
  source: string;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date | null;
}

/** The fields of a risk that change after it is entered, each change recorded. */
export const RISK_FIELDS = ["title", "description", "likelihood", "impact", "ownerId", "reviewAt", "status"] as const;
export type RiskField = (typeof RISK_FIELDS)[number];

export interface RiskChange {
  id: number;
  riskId: string;
  at: Date;
  actorId: string;
  field: RiskField;
  fromValue: string | null;
  toValue: string | null;
}

export const POSTMORTEM_SECTIONS = [
  "details",
  "timeline",
  "impact",
  "actionsTaken",
  "rootCauses",
  "followUps",
  "newRisks",
] as const;
export type PostmortemSection = (typeof POSTMORTEM_SECTIONS)[number];

export interface Postmortem extends Record<PostmortemSection, string> {
  incidentId: string;
  status: "draft" | "complete" | "waived";
  externalVersionShared: boolean;
  /** Where a version was shared with external affected parties. */
  externalSharedWhere: string;
  /** Public-safe words, for the status page. */
  publicSummary: string;
  /** Who owes it: the IC at resolve unless changed. */
  ownerId: string | null;
  waivedReason: string | null;
  waivedBy: string | null;
  completedBy: string | null;
  completedAt: Date | null;
  updatedAt: Date;
}

export type Visibility = "internal" | "public";

export interface TimelineEvent {
  id: number;
  incidentId: string;
  at: Date;
  actorId: string;
  kind: EventKind;
  visibility: Visibility;
  data: Record<string, unknown>;
}

export type NewTimelineEvent = Omit<TimelineEvent, "id">;

export const EVENT_KINDS = [
  "declared",
  "severity_classified",
  "impact_updated",
  "role_assigned",
  "role_unassigned",
  "handoff_proposed",
  "handoff_accepted",
  "handoff_declined",
  "status_update",
  "escalated",
  "vendor_check_requested",
  "vendor_check_answered",
  "follow_up_added",
  "follow_up_done",
  "risk_added",
  "risk_updated",
  "note",
  "status_changed",
  "times_corrected",
  "postmortem_updated",
  "postmortem_owner_assigned",
  "postmortem_completed",
  "postmortem_waived",
  "repair_requested",
  "postmortem_reminded",
  "postmortem_reminder_snoozed",
  "postmortem_escalated",
  "nudged",
  "escalation_proposed",
  "escalation_declined",
  "escalation_acknowledged",
  "day_end_reminded",
  "day_end_snoozed",
  "day_end_unanswered",
  "recovery_checklist_opened",
  "checklist_ticked",
  "recovery_waived",
  "unpublished",
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/**
 * Side effects the domain asks for. They are stored in the outbox with the
 * change and performed after commit by the worker; payloads carry ids, not
 * text, so a job always renders the incident as it is when it runs.
 */
export type JobKind =
  | "slack.create_channel"
  | "slack.sync_announcement"
  | "slack.sync_channel"
  | "slack.post_event"
  | "slack.notify_user"
  | "slack.escalate"
  | "slack.sync_bookmarks"
  | "slack.handoff_reminder"
  | "slack.job_failed"
  | "github.sync_issue"
  | "github.post_comment"
  | "github.create_follow_up_issue"
  | "github.close_follow_up_issue"
  | "github.sync_follow_ups"
  | "slack.repair_report"
  | "slack.postmortem_owed"
  | "slack.vendor_deadline"
  | "google.create_doc"
  | "google.sync_doc"
  | "google.create_postmortem_doc"
  | "slack.postmortem_reminder_due"
  | "slack.postmortem_reminder"
  | "slack.nudge_due"
  | "dr.duty_due"
  | "dr.duty_notice"
  | "dr.risk_review"
  | "slack.escalation_offer"
  | "slack.escalation_due"
  | "backup.scheduled"
  | "slack.day_end_due"
  | "slack.day_end_message"
  | "intake.sync_triage"
  | "slack.checklist";

export interface NewJob {
  incidentId: string | null;
  kind: JobKind;
  payload: Record<string, unknown>;
  /** Run this long after the change commits (reminders), instead of at once. */
  delayMs?: number;
}

export interface Actor {
  userId: string;
  /** Admins (configured) may act in place of the Incident Commander. */
  isAdmin: boolean;
}

export function incidentKey(n: number): string {
  return `INC-${n}`;
}
