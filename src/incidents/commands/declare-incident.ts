import { z } from "zod";
import { recoveryRequired } from "../checklists.js";
import { Change, type CommandContext, type CommandResult } from "../context.js";
import * as input from "../input.js";
import { COMMANDER, type Incident, incidentKey } from "../model.js";
import { applyPublication, publicationFields } from "../publication.js";
import { validateTimes } from "../times.js";

export const declareIncidentInput = z.object({
  title: input.title,
  summary: input.text("the summary").default(""),
  severity: input.severity.optional(),
  impacts: input.impacts.default([]),
  components: input.nameList("components").default([]),
  regions: input.nameList("regions").default([]),
  customers: input.customers.default([]),
  /** "Data or processes disrupted": the BCP/DR recovery checklist applies. */
  disrupted: z.boolean().default(false),
  customersAffected: z
    .number({ error: "Customers affected must be a whole number." })
    .int("Customers affected must be a whole number.")
    .min(0, "Customers affected can't be negative.")
    .nullable()
    .optional(),
  assetRisk: input.text("the risk to affected assets").default(""),
  /** Defaults to private when a security breach is suspected. */
  private: z.boolean().optional(),
  reportSource: input.reportSource.default("on_call"),
  reportedBy: input.text("who reported it", input.LIMITS.name).optional(),
  /** Defaults to the person declaring. */
  commanderId: input.userId.optional(),
  impactStartedAt: input.date.optional(),
  detectedAt: input.date.optional(),
  ...publicationFields,
});
export type DeclareIncidentInput = z.input<typeof declareIncidentInput>;

export async function declareIncident(ctx: CommandContext, raw: DeclareIncidentInput): Promise<CommandResult> {
  const i = input.parseInput(declareIncidentInput, raw);
  const { tx, actor, now } = ctx;
  const times = {
    impactStartedAt: i.impactStartedAt ?? null,
    detectedAt: i.detectedAt ?? null,
    declaredAt: now,
    mitigatedAt: null,
    resolvedAt: null,
    closedAt: null,
  };
  validateTimes(times, now);

  const number = await tx.nextIncidentNumber();
  const commanderId = i.commanderId ?? actor.userId;
  const incident: Incident = {
    id: ctx.newId(),
    number,
    key: incidentKey(number),
    title: i.title,
    summary: i.summary,
    status: "investigating",
    severity: i.severity ?? "unclassified",
    impacts: i.impacts,
    scope: {
      components: i.components,
      regions: i.regions,
      customersAffected: i.customersAffected ?? null,
      customers: i.customers,
    },
    assetRisk: i.assetRisk,
    private: i.private ?? i.impacts.includes("security_breach"),
    disrupted: i.disrupted,
    reportSource: i.reportSource,
    reportedBy: i.reportedBy || null,
    declaredBy: actor.userId,
    times,
    resolutionSummary: null,
    partiesInformed: [],
    version: 0,
  };
  await tx.insertIncident(incident);
  const commander = {
    id: ctx.newId(),
    incidentId: incident.id,
    role: COMMANDER,
    userId: commanderId,
    assignedBy: actor.userId,
    assignedAt: now,
    endedAt: null,
    endedBy: null,
  };
  await tx.insertRole(commander);
  const published = await applyPublication(ctx, incident, [commander], i, { atDeclaration: true });

  const change = new Change(ctx, incident).event("declared", {
    severity: incident.severity,
    commanderId,
    impacts: incident.impacts,
    ...(incident.disrupted ? { disrupted: true } : {}),
    private: incident.private,
    reportSource: incident.reportSource,
    reportedBy: incident.reportedBy,
    ...(published ? { published } : {}),
  });
  // Order matters to the worker: the channel first, so later posts have a home.
  change.job("slack.create_channel").job("slack.sync_announcement").job("github.sync_issue").job("google.create_doc");
  // Data or processes disrupted: the recovery checklist goes in the channel once it exists.
  if (recoveryRequired(incident)) change.job("slack.checklist", { list: "recovery" });
  if (commanderId !== actor.userId) change.job("slack.notify_user", { userId: commanderId, role: COMMANDER });
  return change.result();
}
