import { z } from "zod";
import { AppError } from "../../errors.js";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { authorize, commanderOf } from "../permissions.js";
import { emptyPostmortem } from "../postmortem-rules.js";

export const assignPostmortemOwnerInput = z.object({ key: z.string(), ownerId: input.userId });
export type AssignPostmortemOwnerInput = z.input<typeof assignPostmortemOwnerInput>;

/** Who owes the post-mortem (the IC by default). They are told what is owed, with the doc. */
export async function assignPostmortemOwner(
  ctx: CommandContext,
  raw: AssignPostmortemOwnerInput,
): Promise<CommandResult> {
  const i = input.parseInput(assignPostmortemOwnerInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("assignPostmortemOwner", ctx.actor, roles, incident.key);
  const existing = await ctx.tx.findPostmortem(incident.id);
  const pm = existing ?? emptyPostmortem(incident.id, ctx.now, commanderOf(roles));
  if (pm.status === "complete") throw new AppError("validation", "The post-mortem is already complete.");
  if (existing && pm.ownerId === i.ownerId)
    throw new AppError("validation", `They already own the ${incident.key} post-mortem.`, { field: "ownerId" });
  const from = pm.ownerId;
  await ctx.tx.savePostmortem({ ...pm, ownerId: i.ownerId, updatedAt: ctx.now });
  const change = new Change(ctx, incident).event("postmortem_owner_assigned", { ownerId: i.ownerId, from });
  if (!existing) change.job("google.create_postmortem_doc", { quiet: true });
  return change.result();
}
