import { z } from "zod";
import { AppError } from "../../errors.js";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { authorize } from "../permissions.js";

export const completeFollowUpInput = z.object({
  key: z.string(),
  followUpId: z.string().min(1),
  /** Where it was seen done: marked in muster, or its issue closed on GitHub. */
  source: z.enum(["muster", "github"]).default("muster"),
  note: input.text("the note").optional(),
});
export type CompleteFollowUpInput = z.input<typeof completeFollowUpInput>;

/** A follow-up action is done; its GitHub issue (if any) is closed. Done twice is not an error. */
export async function completeFollowUp(ctx: CommandContext, raw: CompleteFollowUpInput): Promise<CommandResult> {
  const i = input.parseInput(completeFollowUpInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  const followUp = await ctx.tx.findFollowUp(i.followUpId);
  if (!followUp || followUp.incidentId !== incident.id) {
    throw new AppError("not_found", `That follow-up is not part of ${incident.key}.`);
  }
  // Its owner may close it too, without a role in the incident.
  if (followUp.ownerId !== ctx.actor.userId) authorize("addFollowUp", ctx.actor, roles, incident.key);
  if (followUp.status === "done") {
    return { incidentId: incident.id, key: incident.key, eventIds: [], followUpId: followUp.id, already: true };
  }
  await ctx.tx.completeFollowUp(followUp.id, { completedAt: ctx.now, completedBy: ctx.actor.userId });
  return new Change(ctx, incident)
    .event("follow_up_done", {
      followUpId: followUp.id,
      title: followUp.title,
      source: i.source,
      note: i.note || null,
    })
    .result({}, { followUpId: followUp.id });
}
