import { z } from "zod";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { authorize } from "../permissions.js";

export const escalateIncidentInput = z.object({
  key: z.string(),
  reason: input.requiredText("why the response needs leadership"),
  /** The offer of muster's it answers (insufficient response). */
  proposalEventId: z.number().int().optional(),
  /** muster escalated by itself: the IC did not answer the offer. */
  auto: z.boolean().optional(),
});
export type EscalateIncidentInput = z.input<typeof escalateIncidentInput>;

export async function escalateIncident(ctx: CommandContext, raw: EscalateIncidentInput): Promise<CommandResult> {
  const i = input.parseInput(escalateIncidentInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("escalate", ctx.actor, roles, incident.key);
  const id = ctx.newId();
  await ctx.tx.insertEscalation({
    id,
    incidentId: incident.id,
    escalatedBy: ctx.actor.userId,
    reason: i.reason,
    at: ctx.now,
  });
  return new Change(ctx, incident)
    .event("escalated", {
      escalationId: id,
      reason: i.reason,
      ...(i.proposalEventId !== undefined ? { proposalEventId: i.proposalEventId } : {}),
      ...(i.auto ? { auto: true } : {}),
    })
    .result({}, { escalationId: id });
}
