import { z } from "zod";
import { AppError } from "../../errors.js";
import {
  itemsToData,
  openItems,
  type PartyChoice,
  proposedParties,
  recoveryChecklist,
  recoverySatisfied,
  resolutionChecklist,
} from "../checklists.js";
import { companyPolicyOf } from "../company-policy.js";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import type { Incident, IncidentTimes, RoleAssignment, Status } from "../model.js";
import { type Action, authorize, commanderOf } from "../permissions.js";
import type { IncidentPatch } from "../ports.js";
import {
  emptyPostmortem,
  gapWords,
  missingParts,
  postmortemReason,
  postmortemRequired,
  postmortemSatisfied,
} from "../postmortem-rules.js";
import { validateTimes } from "../times.js";
import { assertTransition } from "../transitions.js";
import { recoveryOpenError } from "./checklists.js";
import { REMINDER_CHAIN } from "./postmortem-reminders.js";

// mitigate, resolve, close, reopen and "not an incident" share one shape:
// check permission, check the transition table, set the times, record it.
async function transition(
  ctx: CommandContext,
  key: string,
  action: Action,
  to: Status,
  build: (args: {
    incident: Incident;
    roles: RoleAssignment[];
    patch: IncidentPatch;
    change: Change;
    times: IncidentTimes;
  }) => Promise<Record<string, unknown>>,
): Promise<CommandResult> {
  const { incident, roles } = await loadIncident(ctx, key);
  authorize(action, ctx.actor, roles, incident.key);
  assertTransition(incident.key, incident.status, to);
  const change = new Change(ctx, incident);
  const patch: IncidentPatch = { status: to };
  const times = { ...incident.times };
  const data = await build({ incident, roles, patch, change, times });
  validateTimes(times, ctx.now);
  patch.times = times;
  change.event("status_changed", { from: incident.status, to, ...data }).sync();
  return change.result(patch);
}

export const mitigateIncidentInput = z.object({
  key: z.string(),
  /** When the impact actually stopped, if earlier than now. */
  mitigatedAt: input.date.optional(),
  note: input.text("the note").optional(),
});
export type MitigateIncidentInput = z.input<typeof mitigateIncidentInput>;

export async function mitigateIncident(ctx: CommandContext, raw: MitigateIncidentInput): Promise<CommandResult> {
  const i = input.parseInput(mitigateIncidentInput, raw);
  return transition(ctx, i.key, "mitigate", "mitigated", async ({ times }) => {
    times.mitigatedAt = i.mitigatedAt ?? ctx.now;
    return { note: i.note || null };
  });
}

export const resolveIncidentInput = z.object({
  key: z.string(),
  summary: input.requiredText("a resolution summary"),
  /**
   * The resolution-communication checklist (checklists.ts): what was said
   * about each party the incident proposes, by its key; a proposed party not
   * listed here is still to tell (and muster reminds).
   */
  parties: z
    .array(
      z.object({
        key: z.string().min(1).max(100),
        state: z.enum(["open", "done", "not_applicable"]),
        reason: input.text("the reason").optional(),
      }),
    )
    .max(60)
    .default([]),
  /** Other parties told it is resolved, by name (a free-text list, as before the checklist). */
  partiesInformed: input.nameList("affected parties").default([]),
  /** Nobody needed telling: refused for a customer-facing incident. */
  noneAffected: z.boolean().default(false),
});
export type ResolveIncidentInput = z.input<typeof resolveIncidentInput>;

export async function resolveIncident(ctx: CommandContext, raw: ResolveIncidentInput): Promise<CommandResult> {
  const i = input.parseInput(resolveIncidentInput, raw);
  return transition(ctx, i.key, "resolve", "resolved", async ({ incident, roles, patch, change, times }) => {
    times.mitigatedAt ??= ctx.now;
    times.resolvedAt = ctx.now;
    patch.resolutionSummary = i.summary;
    const escalated = (await ctx.tx.countEvents(incident.id, ["escalated"])) > 0;
    const comms = resolutionChecklist(incident, {
      parties: proposedParties(incident, { escalated, announcementChannel: ctx.policy.announcementChannel }),
      choices: new Map<string, PartyChoice>(i.parties.map((p) => [p.key, { state: p.state, reason: p.reason }])),
      othersTold: i.partiesInformed,
      noneAffected: i.noneAffected,
      by: ctx.actor.userId,
      at: ctx.now,
    });
    // The row keeps the labels of the parties told, as it kept the free-text list.
    patch.partiesInformed = comms.filter((x) => x.state === "done").map((x) => x.label);
    // The checklist message, with a button per party still to tell, once the channel has the resolution.
    if (openItems(comms).length) change.job("slack.checklist", { list: "comms" });
    // The rule is read from the incident as it stands now: impacts and severity corrected since the declaration count.
    const rule = companyPolicyOf(ctx.policy).postmortem;
    const required = postmortemRequired(incident, rule);
    if (required) {
      const pm = await ctx.tx.findPostmortem(incident.id);
      const reason = postmortemReason(incident, rule);
      if (!pm) {
        await ctx.tx.savePostmortem(emptyPostmortem(incident.id, ctx.now, commanderOf(roles)));
        // The channel and the owner are told once the doc exists, with its link.
        change.job("google.create_postmortem_doc", { owed: reason });
      } else if (pm.status === "draft") {
        change.job("slack.postmortem_owed", { owed: reason });
      }
      // Then the owner is reminded on business days until it is written (or waived).
      if (!pm || pm.status === "draft")
        change.job("slack.postmortem_reminder_due", {
          seq: await ctx.tx.countEvents(incident.id, REMINDER_CHAIN),
          plan: true,
        });
    }
    return {
      summary: i.summary,
      partiesInformed: patch.partiesInformed,
      comms: itemsToData(comms),
      ...(i.noneAffected ? { noneAffected: true } : {}),
      postmortemRequired: required,
    };
  });
}

export const closeIncidentInput = z.object({ key: z.string() });
export type CloseIncidentInput = z.input<typeof closeIncidentInput>;

export async function closeIncident(ctx: CommandContext, raw: CloseIncidentInput): Promise<CommandResult> {
  const i = input.parseInput(closeIncidentInput, raw);
  return transition(ctx, i.key, "close", "closed", async ({ incident, times }) => {
    // The BCP/DR policy first: data restored and checked before the record is closed.
    const recovery = recoveryChecklist(await ctx.tx.listEvents(incident.id, ["checklist_ticked", "recovery_waived"]));
    if (!recoverySatisfied(incident, recovery)) throw recoveryOpenError(incident, openItems(recovery.items));
    const rule = companyPolicyOf(ctx.policy).postmortem;
    const pm = await ctx.tx.findPostmortem(incident.id);
    if (!postmortemSatisfied(incident, rule, pm)) {
      const [followUps, risks] = await Promise.all([ctx.tx.listFollowUps(incident.id), ctx.tx.listRisks(incident.id)]);
      const missing = missingParts(pm, { followUps, risks });
      const what = missing.length
        ? `It still needs: ${gapWords(missing)}; then mark it complete (\`/incident postmortem\`).`
        : "Every part is written; mark it complete (`/incident postmortem complete`).";
      throw new AppError(
        "postmortem_required",
        `${incident.key} needs a post-mortem because ${postmortemReason(incident, rule)}, so it can't be closed until the post-mortem is complete. ${what} An admin can waive it with a reason.`,
      );
    }
    times.closedAt = ctx.now;
    return {};
  });
}

export const reopenIncidentInput = z.object({
  key: z.string(),
  reason: input.requiredText("why it is being reopened"),
});
export type ReopenIncidentInput = z.input<typeof reopenIncidentInput>;

export async function reopenIncident(ctx: CommandContext, raw: ReopenIncidentInput): Promise<CommandResult> {
  const i = input.parseInput(reopenIncidentInput, raw);
  return transition(ctx, i.key, "reopen", "investigating", async ({ incident, times }) => {
    // The earlier times stay in the timeline; the record shows the current episode.
    const previous = { mitigatedAt: times.mitigatedAt, resolvedAt: times.resolvedAt, closedAt: times.closedAt };
    times.mitigatedAt = null;
    times.resolvedAt = null;
    times.closedAt = null;
    return {
      reason: i.reason,
      reopened: true,
      previous: Object.fromEntries(Object.entries(previous).map(([k, v]) => [k, v?.toISOString() ?? null])),
      wasStatus: incident.status,
    };
  });
}

export const markNotAnIncidentInput = z.object({
  key: z.string(),
  reason: input.requiredText("why it is not an incident"),
});
export type MarkNotAnIncidentInput = z.input<typeof markNotAnIncidentInput>;

/** A report that turned out to be nothing (a vulnerability not being exploited is not an incident). */
export async function markNotAnIncident(ctx: CommandContext, raw: MarkNotAnIncidentInput): Promise<CommandResult> {
  const i = input.parseInput(markNotAnIncidentInput, raw);
  return transition(ctx, i.key, "markNotAnIncident", "not_an_incident", async ({ times }) => {
    times.closedAt = ctx.now;
    return { reason: i.reason };
  });
}
