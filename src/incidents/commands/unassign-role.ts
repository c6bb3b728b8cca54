import { z } from "zod";
import { AppError } from "../../errors.js";
import { assertOpen, Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { COMMANDER } from "../model.js";
import { authorize } from "../permissions.js";

export const unassignRoleInput = z.object({
  key: z.string(),
  role: z.string().trim().min(1, "Pick a role."),
});
export type UnassignRoleInput = z.input<typeof unassignRoleInput>;

export async function unassignRole(ctx: CommandContext, raw: UnassignRoleInput): Promise<CommandResult> {
  const i = input.parseInput(unassignRoleInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("unassignRole", ctx.actor, roles, incident.key);
  assertOpen(incident, "change roles");
  if (i.role === COMMANDER) {
    throw new AppError("validation", "An open incident always has an Incident Commander; hand the role off instead.", {
      field: "role",
    });
  }
  const current = roles.find((r) => r.role === i.role);
  if (!current) throw new AppError("validation", `Nobody holds that role in ${incident.key}.`, { field: "role" });
  await ctx.tx.endRole(current.id, ctx.now, ctx.actor.userId);
  return new Change(ctx, incident).event("role_unassigned", { role: i.role, userId: current.userId }).result();
}
