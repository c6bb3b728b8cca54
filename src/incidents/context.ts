import { AppError } from "../errors.js";
import type { CompanyPolicy } from "./company-policy.js";
import { EVENT_EFFECTS, SYNC_JOBS } from "./effects.js";
import type { Actor, EventKind, Incident, JobKind, NewJob, RoleAssignment, Severity, Visibility } from "./model.js";
import { COMMANDER, COMMUNICATIONS } from "./model.js";
import type { IncidentPatch, IncidentTx } from "./ports.js";
import type { StatusPagePolicy } from "./publication.js";
import { isOpen, STATUS_LABELS } from "./transitions.js";

export interface RoleDefinition {
  key: string;
  name: string;
  /** Sent to the person when they are given the role. */
  description: string;
}

export const DEFAULT_ROLES: RoleDefinition[] = [
  {
    key: COMMANDER,
    name: "Incident Commander",
    description:
      "Leads the response: classifies severity, appoints roles, keeps the tracking issue and doc current, contacts vendors, escalates when the response is not enough, and hands off before going off shift.",
  },
  {
    key: COMMUNICATIONS,
    name: "Communications lead",
    description:
      "Owns what is said and to whom: status updates to stakeholders, customer-facing wording, and telling every affected party when the incident is resolved.",
  },
];

export interface Policy {
  roles: RoleDefinition[];
  /** A hand-off nobody answers within this time is flagged to the IC and the channel (again after twice and four times as long). */
  handoffTimeoutMs?: number;
  /** The company's definitions and post-mortem rule; DEFAULT_COMPANY_POLICY when absent (read it with companyPolicyOf). */
  company?: CompanyPolicy;
  /** When the owner of an unwritten post-mortem is reminded; DEFAULT_POSTMORTEM_REMINDERS when absent. */
  postmortemReminders?: PostmortemReminderPolicy;
  /** The public status page's components; any names when absent. */
  statusPage?: StatusPagePolicy;
  /** The announcement channel's name (INCIDENT_CHANNEL), for the parties told at resolve; a channel id when that is what was configured. */
  announcementChannel?: string;
}

/** In business days of the owner's own time zone. */
export interface PostmortemReminderPolicy {
  /** The first reminder, after the incident is resolved. */
  firstAfterDays: number;
  /** Then again every so many. */
  everyDays: number;
  /** After this, the reminders escalate to the lead (with the IC in copy): by severity, resolve to deadline. */
  deadlineDays: Record<Severity, number>;
}

export const DEFAULT_POSTMORTEM_REMINDERS: PostmortemReminderPolicy = {
  firstAfterDays: 1,
  everyDays: 2,
  deadlineDays: { critical: 5, high: 5, medium: 10, low: 10, unclassified: 10 },
};

export const DEFAULT_HANDOFF_TIMEOUT_MS = 30 * 60_000;

export interface CommandContext {
  tx: IncidentTx;
  actor: Actor;
  now: Date;
  newId: () => string;
  policy: Policy;
}

/** What every command returns: small, JSON-safe, so idempotent replays return it unchanged. */
export interface CommandResult {
  incidentId: string;
  key: string;
  eventIds: number[];
  [extra: string]: unknown;
}

export async function loadIncident(
  ctx: CommandContext,
  key: string,
): Promise<{ incident: Incident; roles: RoleAssignment[] }> {
  const normalized = normalizeKey(key);
  const found = normalized ? await ctx.tx.findIncidentWithRoles(normalized) : null;
  if (!found) {
    throw new AppError(
      "not_found",
      `There is no incident ${key.trim() || "with an empty key"}. Keys look like INC-42.`,
      {
        field: "key",
      },
    );
  }
  return found;
}

/** Accepts "INC-42", "inc-42" and "42". */
export function normalizeKey(key: string): string | null {
  const m = /^\s*(?:inc-)?(\d{1,9})\s*$/i.exec(key);
  return m ? `INC-${Number(m[1])}` : null;
}

export function assertOpen(incident: Incident, doing: string): void {
  if (isOpen(incident.status)) return;
  throw new AppError(
    "invalid_transition",
    `${incident.key} is ${STATUS_LABELS[incident.status]}; reopen it before you ${doing}.`,
  );
}

/**
 * Collects one command's writes: the incident patch, its timeline events and
 * their outbox jobs, committed together by `commit`.
 */
export class Change {
  private readonly events: {
    kind: EventKind;
    data: Record<string, unknown>;
    visibility: Visibility;
    extraJobs: { kind: JobKind; payload: Record<string, unknown>; delayMs?: number }[];
  }[] = [];
  private readonly jobs: NewJob[] = [];
  private syncRequested = false;

  constructor(
    private readonly ctx: CommandContext,
    private incident: Incident,
  ) {}

  event(
    kind: EventKind,
    data: Record<string, unknown>,
    options: {
      visibility?: Visibility;
      jobs?: { kind: JobKind; payload: Record<string, unknown>; delayMs?: number }[];
    } = {},
  ): this {
    this.events.push({ kind, data, visibility: options.visibility ?? "internal", extraJobs: options.jobs ?? [] });
    return this;
  }

  job(kind: JobKind, payload: Record<string, unknown> = {}, options: { delayMs?: number } = {}): this {
    this.jobs.push({
      incidentId: this.incident.id,
      kind,
      payload,
      ...(options.delayMs ? { delayMs: options.delayMs } : {}),
    });
    return this;
  }

  /** The incident's title, severity, status or IC changed: refresh every outside view. */
  sync(): this {
    this.syncRequested = true;
    return this;
  }

  async commit(patch: IncidentPatch = {}): Promise<{ incident: Incident; eventIds: number[] }> {
    const { tx, actor, now } = this.ctx;
    this.incident = await tx.updateIncident(this.incident.id, this.incident.version, patch);
    const eventIds: number[] = [];
    const jobs: NewJob[] = [];
    for (const e of this.events) {
      const eventId = await tx.appendEvent({
        incidentId: this.incident.id,
        at: now,
        actorId: actor.userId,
        kind: e.kind,
        visibility: e.visibility,
        data: e.data,
      });
      eventIds.push(eventId);
      for (const kind of EVENT_EFFECTS[e.kind]) jobs.push({ incidentId: this.incident.id, kind, payload: { eventId } });
      for (const j of e.extraJobs)
        jobs.push({
          incidentId: this.incident.id,
          kind: j.kind,
          payload: { ...j.payload, eventId },
          ...(j.delayMs ? { delayMs: j.delayMs } : {}),
        });
    }
    if (this.syncRequested)
      for (const kind of SYNC_JOBS) jobs.push({ incidentId: this.incident.id, kind, payload: {} });
    jobs.push(...this.jobs);
    if (jobs.length) await tx.enqueueJobs(jobs, now);
    return { incident: this.incident, eventIds };
  }

  async result(patch: IncidentPatch = {}, extra: Record<string, unknown> = {}): Promise<CommandResult> {
    const { incident, eventIds } = await this.commit(patch);
    return { incidentId: incident.id, key: incident.key, eventIds, ...extra };
  }
}
