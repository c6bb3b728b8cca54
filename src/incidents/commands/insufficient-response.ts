// When the response is not enough (insufficient-response.ts): muster offers
// the IC an escalation to leadership, escalates by itself when the IC does not
// answer in time, and records leadership's acknowledgement. The offer, the
// answer and the acknowledgement are all on the timeline.
import { z } from "zod";
import { AppError } from "../../errors.js";
import { companyPolicyOf } from "../company-policy.js";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { INSUFFICIENT_KINDS } from "../insufficient-response.js";
import type { TimelineEvent } from "../model.js";
import { authorize, commanderOf } from "../permissions.js";
import type { IncidentTx } from "../ports.js";
import { isOpen } from "../transitions.js";
import { escalateIncident } from "./escalate-incident.js";

const noop = (incidentId: string, key: string, extra: Record<string, unknown> = {}): CommandResult => ({
  incidentId,
  key,
  eventIds: [],
  ...extra,
});

export const proposeEscalationInput = z.object({
  key: z.string(),
  /** The rules that hold (several coming due at once make one offer). */
  rules: z.array(z.enum(INSUFFICIENT_KINDS)).min(1),
  /** What is missing, in words. */
  missing: z.string().max(1000),
});
export type ProposeEscalationInput = z.input<typeof proposeEscalationInput>;

/** muster, when a rule holds: the IC is offered the escalation; without an answer in time, it happens anyway. */
export async function proposeEscalation(ctx: CommandContext, raw: ProposeEscalationInput): Promise<CommandResult> {
  const i = proposeEscalationInput.parse(raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  if (!isOpen(incident.status)) return noop(incident.id, incident.key, { proposed: false });
  const within = companyPolicyOf(ctx.policy).escalation.answerWithinMs;
  return new Change(ctx, incident)
    .event(
      "escalation_proposed",
      { rules: i.rules, missing: i.missing, commanderId: commanderOf(roles), answerWithinMs: within },
      { jobs: [{ kind: "slack.escalation_due", payload: {}, delayMs: within }] },
    )
    .result({}, { proposed: true });
}

/** The answer to an offer, if any: an escalation made from it, or the IC's "not needed". */
async function answerTo(tx: IncidentTx, incidentId: string, proposal: number): Promise<TimelineEvent | null> {
  const answers = await tx.listEvents(incidentId, ["escalated", "escalation_declined"]);
  return answers.find((e) => e.data.proposalEventId === proposal) ?? null;
}

async function findProposal(ctx: CommandContext, incidentId: string, eventId: number) {
  const proposals = await ctx.tx.listEvents(incidentId, ["escalation_proposed"]);
  const p = proposals.find((e) => e.id === eventId);
  if (!p) throw new AppError("not_found", "That escalation offer no longer exists.");
  return p;
}

export const autoEscalateInput = z.object({ key: z.string(), proposalEventId: z.number().int() });
export type AutoEscalateInput = z.input<typeof autoEscalateInput>;

/** muster, when the IC has not answered an offer in time: escalates, as "muster", unless answered or over. */
export async function autoEscalate(ctx: CommandContext, raw: AutoEscalateInput): Promise<CommandResult> {
  const i = autoEscalateInput.parse(raw);
  const { incident } = await loadIncident(ctx, i.key);
  const proposal = await findProposal(ctx, incident.id, i.proposalEventId);
  if (!isOpen(incident.status) || (await answerTo(ctx.tx, incident.id, proposal.id)))
    return noop(incident.id, incident.key, { escalated: false });
  const minutes = Math.round(Number(proposal.data.answerWithinMs ?? 0) / 60_000);
  return escalateIncident(ctx, {
    key: incident.key,
    reason: `Insufficient response: ${String(proposal.data.missing ?? "")}. The IC did not answer muster's offer to escalate within ${minutes} minutes.`,
    proposalEventId: proposal.id,
    auto: true,
  });
}

export const answerEscalationOfferInput = z.object({ key: z.string(), proposalEventId: z.number().int() });

/** The IC's "Escalate to leadership" on muster's offer: escalates at once, with the drafted brief; once. */
export async function acceptEscalationOffer(
  ctx: CommandContext,
  raw: z.input<typeof answerEscalationOfferInput>,
): Promise<CommandResult> {
  const i = answerEscalationOfferInput.parse(raw);
  const { incident } = await loadIncident(ctx, i.key);
  const proposal = await findProposal(ctx, incident.id, i.proposalEventId);
  const answer = await answerTo(ctx.tx, incident.id, proposal.id);
  if (answer) return noop(incident.id, incident.key, { already: answer.kind });
  return escalateIncident(ctx, {
    key: incident.key,
    reason: `Insufficient response: ${String(proposal.data.missing ?? "")}.`,
    proposalEventId: proposal.id,
  });
}

export const declineEscalationInput = answerEscalationOfferInput.extend({
  reason: input.text("why it is not needed").optional(),
});

/** The IC's "Not needed": the offer is answered, muster does not escalate. */
export async function declineEscalation(
  ctx: CommandContext,
  raw: z.input<typeof declineEscalationInput>,
): Promise<CommandResult> {
  const i = input.parseInput(declineEscalationInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("declineEscalation", ctx.actor, roles, incident.key);
  const proposal = await findProposal(ctx, incident.id, i.proposalEventId);
  const answer = await answerTo(ctx.tx, incident.id, proposal.id);
  if (answer) return noop(incident.id, incident.key, { already: answer.kind });
  return new Change(ctx, incident)
    .event("escalation_declined", { proposalEventId: proposal.id, reason: i.reason || null })
    .result();
}

export const acknowledgeEscalationInput = z.object({ key: z.string(), escalationId: z.string().min(1) });

/** Leadership's "Acknowledge" on an escalation brief: on the timeline (who, when), once. */
export async function acknowledgeEscalation(
  ctx: CommandContext,
  raw: z.input<typeof acknowledgeEscalationInput>,
): Promise<CommandResult> {
  const i = acknowledgeEscalationInput.parse(raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("acknowledgeEscalation", ctx.actor, roles, incident.key);
  const escalations = await ctx.tx.listEvents(incident.id, ["escalated", "escalation_acknowledged"]);
  if (!escalations.some((e) => e.kind === "escalated" && e.data.escalationId === i.escalationId))
    throw new AppError("not_found", `That escalation is not part of ${incident.key}.`);
  const ack = escalations.find((e) => e.kind === "escalation_acknowledged" && e.data.escalationId === i.escalationId);
  if (ack) return noop(incident.id, incident.key, { already: true, by: ack.actorId, at: ack.at.toISOString() });
  return new Change(ctx, incident)
    .event("escalation_acknowledged", { escalationId: i.escalationId })
    .result({}, { by: ctx.actor.userId, at: ctx.now.toISOString() });
}
