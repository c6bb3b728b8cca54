import { z } from "zod";
import { AppError } from "../../errors.js";
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
  /** Which affected parties were told it is resolved (customers, teams, vendors…). */
  partiesInformed: input
    .nameList("affected parties")
    .refine((xs) => xs.length > 0, "Say which affected parties were told it is resolved (or “none affected”)."),
});
export type ResolveIncidentInput = z.input<typeof resolveIncidentInput>;

export async function resolveIncident(ctx: CommandContext, raw: ResolveIncidentInput): Promise<CommandResult> {
  const i = input.parseInput(resolveIncidentInput, raw);
  return transition(ctx, i.key, "resolve", "resolved", async ({ incident, roles, patch, change, times }) => {
    times.mitigatedAt ??= ctx.now;
    times.resolvedAt = ctx.now;
    patch.resolutionSummary = i.summary;
    patch.partiesInformed = i.partiesInformed;
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
    return { summary: i.summary, partiesInformed: i.partiesInformed, postmortemRequired: required };
  });
}

export const closeIncidentInput = z.object({ key: z.string() });
export type CloseIncidentInput = z.input<typeof closeIncidentInput>;

export async function closeIncident(ctx: CommandContext, raw: CloseIncidentInput): Promise<CommandResult> {
  const i = input.parseInput(closeIncidentInput, raw);
  return transition(ctx, i.key, "close", "closed", async ({ incident, times }) => {
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
