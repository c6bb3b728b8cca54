import { z } from "zod";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { authorize } from "../permissions.js";

export const addFollowUpInput = z.object({
  key: z.string(),
  title: input.requiredText("the follow-up action", input.LIMITS.name),
  ownerId: input.userId,
  dueDate: input.date.optional(),
});
export type AddFollowUpInput = z.input<typeof addFollowUpInput>;

/** Corrective actions that lessen impact or prevent a repeat. */
export async function addFollowUp(ctx: CommandContext, raw: AddFollowUpInput): Promise<CommandResult> {
  const i = input.parseInput(addFollowUpInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("addFollowUp", ctx.actor, roles, incident.key);
  const id = ctx.newId();
  await ctx.tx.insertFollowUp({
    id,
    incidentId: incident.id,
    title: i.title,
    ownerId: i.ownerId,
    dueDate: i.dueDate ?? null,
    status: "open",
    createdBy: ctx.actor.userId,
    createdAt: ctx.now,
  });
  return new Change(ctx, incident)
    .event("follow_up_added", {
      followUpId: id,
      title: i.title,
      ownerId: i.ownerId,
      dueDate: i.dueDate?.toISOString() ?? null,
    })
    .result({}, { followUpId: id });
}
