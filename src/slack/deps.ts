// What the Slack listeners may use: the domain service and read ports, never
// Prisma or an adapter directly.

import type { Logger } from "pino";
import type { DutyService } from "../dr/service.js";
import type { RoleDefinition } from "../incidents/context.js";
import type { Actor, Incident, RoleAssignment } from "../incidents/model.js";
import type { IncidentStore, IncidentSummary } from "../incidents/ports.js";
import type { IncidentService } from "../incidents/service.js";
import type { IntakeService } from "../intake/service.js";
import type { JobStore, RefStore } from "../jobs/ports.js";
import { REF } from "../jobs/refs.js";
import type { PickableIncident } from "./forms/form.js";
import type { SlackViews } from "./views-api.js";

export interface SlackDeps {
  service: IncidentService;
  /** The yearly BCP/DR duties: status and recording. */
  duties: DutyService;
  store: IncidentStore;
  refs: RefStore;
  jobs: JobStore;
  /** Tells the outbox worker a command just queued jobs. */
  wake: () => void;
  admins: string[];
  roles: RoleDefinition[];
  logger: Logger;
  /** views.open / views.publish for a person who is waiting. */
  views: SlackViews;
  /** Reads a Google Doc's sections back ("Import from doc"); null without Google. */
  docs: DocReader | null;
  /** Reports from outside Slack (the outage form, alerts) and their triage messages. */
  intake: IntakeService;
  /** The process's clock (tests simulate days on it). */
  clock: () => Date;
}

/** A doc as text under headings: what "Import from doc" needs of Google. */
export interface DocReader {
  sections(docId: string): Promise<{ heading: string; text: string }[]>;
}

export const actorOf = (deps: SlackDeps, userId: string): Actor => ({ userId, isAdmin: deps.admins.includes(userId) });

/** The incident whose channel this is, with its current role holders. */
export async function summaryOfChannel(
  deps: SlackDeps,
  channelId: string | undefined,
): Promise<IncidentSummary | null> {
  if (!channelId) return null;
  const ref = await deps.refs.findByExternalId(REF.channel, channelId);
  if (!ref) return null;
  return deps.store.incidentSummary({ id: ref.incidentId });
}

export async function incidentOfChannel(deps: SlackDeps, channelId: string | undefined): Promise<Incident | null> {
  return (await summaryOfChannel(deps, channelId))?.incident ?? null;
}

/** Who may see a private incident's details in lists: its responders and admins. */
export const canSee = (deps: SlackDeps, incident: Incident, roles: RoleAssignment[], userId: string) =>
  !incident.private ||
  deps.admins.includes(userId) ||
  incident.declaredBy === userId ||
  roles.some((r) => r.userId === userId);

export async function openIncidents(deps: SlackDeps) {
  return deps.store.listIncidents({ status: ["investigating", "mitigated"], limit: 100 });
}

export async function pickable(deps: SlackDeps): Promise<PickableIncident[]> {
  return (await openIncidents(deps)).map((i) => ({ key: i.key, title: i.title, private: i.private }));
}
