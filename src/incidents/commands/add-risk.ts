import { z } from "zod";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { authorize } from "../permissions.js";

export const addRiskInput = z.object({
  key: z.string(),
  description: input.requiredText("the risk"),
  ownerId: input.userId.optional(),
});
export type AddRiskInput = z.input<typeof addRiskInput>;

/** Newly identified risks go to the risk register, linked to the incident that revealed them. */
export async function addRisk(ctx: CommandContext, raw: AddRiskInput): Promise<CommandResult> {
  const i = input.parseInput(addRiskInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("addRisk", ctx.actor, roles, incident.key);
  const id = ctx.newId();
  await ctx.tx.insertRisk({
    id,
    incidentId: incident.id,
    description: i.description,
    ownerId: i.ownerId ?? null,
    createdBy: ctx.actor.userId,
    createdAt: ctx.now,
  });
  return new Change(ctx, incident)
    .event("risk_added", { riskId: id, description: i.description, ownerId: i.ownerId ?? null })
    .result({}, { riskId: id });
}
