import { z } from "zod";
import { AppError } from "../../errors.js";
import { Change, type CommandContext, type CommandResult } from "../context.js";
import * as input from "../input.js";
import { COMMANDER, type Handoff, type Incident, type RoleAssignment } from "../model.js";
import { commanderOf } from "../permissions.js";

export const answerHandoffInput = z.object({
  handoffId: z.string().min(1),
  reason: input.text("a reason").optional(),
});
export type AnswerHandoffInput = z.input<typeof answerHandoffInput>;

async function pendingFor(ctx: CommandContext, handoffId: string): Promise<Handoff> {
  const handoff = await ctx.tx.findHandoff(handoffId);
  if (!handoff) throw new AppError("not_found", "That hand-off no longer exists.");
  // Only the named successor may answer: not the IC, not an admin.
  if (handoff.toUserId !== ctx.actor.userId) {
    throw new AppError("forbidden", "Only the person the hand-off was offered to can answer it.");
  }
  if (handoff.status !== "pending") {
    throw new AppError("invalid_transition", `That hand-off was already ${handoff.status}.`);
  }
  return handoff;
}

export async function acceptHandoff(ctx: CommandContext, raw: AnswerHandoffInput): Promise<CommandResult> {
  const i = input.parseInput(answerHandoffInput, raw);
  const handoff = await pendingFor(ctx, i.handoffId);
  const { incident, roles } = await incidentOf(ctx, handoff);
  if (incident.status !== "investigating" && incident.status !== "mitigated") {
    throw new AppError("invalid_transition", `${incident.key} is no longer open, so the hand-off can't be accepted.`);
  }
  const current = roles.find((r) => r.role === COMMANDER);
  if (current) await ctx.tx.endRole(current.id, ctx.now, ctx.actor.userId);
  await ctx.tx.insertRole({
    id: ctx.newId(),
    incidentId: incident.id,
    role: COMMANDER,
    userId: handoff.toUserId,
    assignedBy: handoff.proposedBy,
    assignedAt: ctx.now,
    endedAt: null,
    endedBy: null,
  });
  await ctx.tx.answerHandoff(handoff.id, { status: "accepted", answeredAt: ctx.now, declineReason: null });
  const previous = commanderOf(roles);
  const change = new Change(ctx, incident)
    .event("handoff_accepted", { handoffId: handoff.id, fromUserId: previous, toUserId: handoff.toUserId })
    .sync();
  if (previous) change.job("slack.notify_user", { userId: previous, handoffId: handoff.id });
  return change.result({}, { handoffId: handoff.id });
}

export async function declineHandoff(ctx: CommandContext, raw: AnswerHandoffInput): Promise<CommandResult> {
  const i = input.parseInput(answerHandoffInput, raw);
  const handoff = await pendingFor(ctx, i.handoffId);
  const { incident, roles } = await incidentOf(ctx, handoff);
  await ctx.tx.answerHandoff(handoff.id, { status: "declined", answeredAt: ctx.now, declineReason: i.reason || null });
  const commander = commanderOf(roles) ?? handoff.fromUserId;
  return new Change(ctx, incident)
    .event("handoff_declined", { handoffId: handoff.id, toUserId: handoff.toUserId, reason: i.reason || null })
    .job("slack.notify_user", { userId: commander, handoffId: handoff.id })
    .result({}, { handoffId: handoff.id });
}

async function incidentOf(
  ctx: CommandContext,
  handoff: Handoff,
): Promise<{ incident: Incident; roles: RoleAssignment[] }> {
  const incident = await ctx.tx.findIncidentById(handoff.incidentId);
  if (!incident) throw new AppError("not_found", "The incident of that hand-off no longer exists.");
  return { incident, roles: await ctx.tx.activeRoles(incident.id) };
}
