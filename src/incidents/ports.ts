// What the domain needs from storage, declared here and implemented by
// src/store. Nothing in incidents/ knows which database (or ORM) is behind it.

import type {
  Escalation,
  EventKind,
  FollowUp,
  Handoff,
  Incident,
  NewJob,
  NewTimelineEvent,
  Postmortem,
  Risk,
  RiskChange,
  RiskStatus,
  RoleAssignment,
  Severity,
  Status,
  StatusUpdate,
  TimelineEvent,
  VendorCheck,
} from "./model.js";
import type { Publication } from "./publication.js";
import type { WorkingHours } from "./working-hours.js";

export type IncidentPatch = Partial<
  Pick<
    Incident,
    | "title"
    | "summary"
    | "status"
    | "severity"
    | "impacts"
    | "scope"
    | "assetRisk"
    | "private"
    | "disrupted"
    | "resolutionSummary"
    | "partiesInformed"
  >
> & { times?: Partial<Incident["times"]> };

export interface IdempotencyRecord {
  key: string;
  command: string;
  incidentId: string | null;
  result: unknown;
}

/** Storage inside one transaction: everything written through it commits or rolls back together. */
export interface IncidentTx {
  nextIncidentNumber(): Promise<number>;
  insertIncident(incident: Incident): Promise<void>;
  /** The incident and its current role holders, in one read: what every command starts with. */
  findIncidentWithRoles(key: string): Promise<IncidentSummary | null>;
  findIncidentById(id: string): Promise<Incident | null>;
  /** Applies the patch and bumps the version; throws a conflict if `expectedVersion` is stale. */
  updateIncident(id: string, expectedVersion: number, patch: IncidentPatch): Promise<Incident>;

  activeRoles(incidentId: string): Promise<RoleAssignment[]>;
  insertRole(role: RoleAssignment): Promise<void>;
  endRole(id: string, endedAt: Date, endedBy: string): Promise<void>;

  pendingHandoff(incidentId: string): Promise<Handoff | null>;
  findHandoff(id: string): Promise<Handoff | null>;
  insertHandoff(handoff: Handoff): Promise<void>;
  answerHandoff(
    id: string,
    answer: { status: "accepted" | "declined" | "cancelled"; answeredAt: Date; declineReason: string | null },
  ): Promise<void>;

  insertStatusUpdate(update: StatusUpdate): Promise<void>;
  insertEscalation(escalation: Escalation): Promise<void>;
  findVendorCheck(id: string): Promise<VendorCheck | null>;
  insertVendorCheck(check: VendorCheck): Promise<void>;
  answerVendorCheck(id: string, answer: Pick<VendorCheck, "answer" | "answeredAt" | "notes">): Promise<void>;
  insertFollowUp(followUp: FollowUp): Promise<void>;
  findFollowUp(id: string): Promise<FollowUp | null>;
  completeFollowUp(id: string, done: { completedAt: Date; completedBy: string }): Promise<void>;
  insertRisk(risk: Risk): Promise<void>;
  findRisk(id: string): Promise<Risk | null>;
  updateRisk(id: string, risk: Risk): Promise<void>;
  insertRiskChanges(changes: Omit<RiskChange, "id">[]): Promise<void>;
  listFollowUps(incidentId: string): Promise<FollowUp[]>;
  listRisks(incidentId: string): Promise<Risk[]>;

  findPostmortem(incidentId: string): Promise<Postmortem | null>;
  savePostmortem(postmortem: Postmortem): Promise<void>;

  findPublication(incidentId: string): Promise<Publication | null>;
  savePublication(publication: Publication): Promise<void>;
  /** Withdrawal: the row goes, so no public read can find it and a new publication gets a new public id. */
  deletePublication(incidentId: string): Promise<void>;

  /** Append-only: there is deliberately no way to change or remove an event. */
  appendEvent(event: NewTimelineEvent): Promise<number>;
  /** How many events of these kinds the incident has: a chain of reminders counts its links. */
  countEvents(incidentId: string, kinds: readonly EventKind[]): Promise<number>;
  /** The incident's events of these kinds, oldest first. */
  listEvents(incidentId: string, kinds: readonly EventKind[]): Promise<TimelineEvent[]>;
  enqueueJobs(jobs: NewJob[], runAt: Date): Promise<void>;

  findIdempotency(key: string): Promise<IdempotencyRecord | null>;
  saveIdempotency(record: IdempotencyRecord, at: Date): Promise<void>;
}

export interface IncidentFilter {
  status?: Status[];
  severity?: Severity[];
  limit?: number;
}

export interface IncidentSummary {
  incident: Incident;
  roles: RoleAssignment[];
}

/** Everything known about one incident, for display and export. */
export interface IncidentRecord {
  incident: Incident;
  roles: RoleAssignment[];
  handoffs: Handoff[];
  statusUpdates: StatusUpdate[];
  escalations: Escalation[];
  vendorChecks: VendorCheck[];
  followUps: FollowUp[];
  risks: Risk[];
  postmortem: Postmortem | null;
  timeline: TimelineEvent[];
}

/** A follow-up with what a list of them across incidents needs to show. */
export interface OwnedFollowUp extends FollowUp {
  incidentKey: string;
  incidentPrivate: boolean;
}

/** A post-mortem still owed, with what a list of them across incidents needs to show. */
export interface OwnedPostmortem {
  incidentId: string;
  incidentKey: string;
  incidentTitle: string;
  incidentPrivate: boolean;
}

export interface RiskFilter {
  status?: RiskStatus[];
  ownerId?: string;
  incidentId?: string;
  limit?: number;
}

/** A risk with what the register shows of its source incident. */
export interface RegisterRisk extends Risk {
  incidentKey: string;
  incidentPrivate: boolean;
}

export interface IncidentStore {
  /**
   * Runs `fn` in one transaction. A conflict (stale version, a concurrent
   * writer) surfaces as AppError("conflict") so the caller may retry.
   */
  transaction<T>(fn: (tx: IncidentTx) => Promise<T>): Promise<T>;
  /**
   * Appends events outside a command, all or none: facts the bot learns from
   * outside (the worker recording that an issue or doc now exists). Each
   * event extends its incident's hash chain, so the incidents' rows are
   * locked while they are appended.
   */
  appendEvents(events: NewTimelineEvent[]): Promise<number[]>;
  listIncidents(filter: IncidentFilter): Promise<Incident[]>;
  /** The same incidents, each with its current role holders: what lists show. */
  listIncidentSummaries(filter: IncidentFilter): Promise<IncidentSummary[]>;
  loadIncident(key: string): Promise<IncidentRecord | null>;
  loadIncidentById(id: string): Promise<IncidentRecord | null>;
  /** The incident and its current role holders: what most screens need, without the timeline. */
  incidentSummary(where: { key: string } | { id: string }): Promise<IncidentSummary | null>;
  /** Current role holders of several incidents, for lists. */
  activeRoles(incidentIds: string[]): Promise<Map<string, RoleAssignment[]>>;
  findEvent(id: number): Promise<TimelineEvent | null>;
  /** One hand-off or status update, for the message about it (without loading the timeline). */
  findHandoff(id: string): Promise<Handoff | null>;
  findStatusUpdate(id: string): Promise<StatusUpdate | null>;
  /** What a person owes: their open follow-ups across incidents, soonest due first (undated last). */
  openFollowUpsOwnedBy(userId: string, limit?: number): Promise<OwnedFollowUp[]>;
  /** Post-mortems a person owns that are still drafts (neither complete nor waived), oldest first. */
  draftPostmortemsOwnedBy(userId: string, limit?: number): Promise<OwnedPostmortem[]>;
  /** The risk register across incidents, newest first. */
  riskRegister(filter: RiskFilter): Promise<RegisterRisk[]>;
  findRisk(id: string): Promise<RegisterRisk | null>;
  /** A risk's history, oldest first. */
  riskChanges(riskId: string): Promise<RiskChange[]>;
  /** The post-mortem alone, for the views that show its state (or its waiver). */
  findPostmortem(incidentId: string): Promise<Postmortem | null>;
  /** What is on the status page for the incident, if anything (shown to the IC before withdrawing it). */
  findPublication(incidentId: string): Promise<Publication | null>;
  /** The working hours people have set (people without a row keep the default), by user id. */
  workingHoursOf(userIds: string[]): Promise<Map<string, WorkingHours>>;
  saveWorkingHours(userId: string, hours: WorkingHours, at: Date): Promise<void>;
  close(): Promise<void>;
}
