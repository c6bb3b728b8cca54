import { z } from "zod";
import { AppError } from "../../errors.js";
import { assertOpen, Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { COMMANDER } from "../model.js";
import { authorize } from "../permissions.js";

export const assignRoleInput = z.object({
  key: z.string(),
  role: z.string().trim().min(1, "Pick a role."),
  userId: input.userId,
});
export type AssignRoleInput = z.input<typeof assignRoleInput>;

/** One holder per role: assigning replaces the current holder, whose assignment stays in the history. */
export async function assignRole(ctx: CommandContext, raw: AssignRoleInput): Promise<CommandResult> {
  const i = input.parseInput(assignRoleInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("assignRole", ctx.actor, roles, incident.key);
  assertOpen(incident, "assign roles");

  const definition = ctx.policy.roles.find((r) => r.key === i.role);
  if (!definition) {
    const known = ctx.policy.roles.map((r) => r.key).join(", ");
    throw new AppError("validation", `There is no role "${i.role}". Roles: ${known}.`, { field: "role" });
  }
  // The IC changes hands only when the successor accepts; admins may force it
  // when the IC is unreachable.
  if (i.role === COMMANDER && !ctx.actor.isAdmin) {
    throw new AppError(
      "forbidden",
      "Use a hand-off to pass the Incident Commander role: the successor gets your notes and must accept.",
      { field: "role" },
    );
  }
  const current = roles.find((r) => r.role === i.role);
  if (current?.userId === i.userId) {
    throw new AppError("validation", `That person is already the ${definition.name} for ${incident.key}.`, {
      field: "userId",
    });
  }
  if (current) await ctx.tx.endRole(current.id, ctx.now, ctx.actor.userId);
  await ctx.tx.insertRole({
    id: ctx.newId(),
    incidentId: incident.id,
    role: i.role,
    userId: i.userId,
    assignedBy: ctx.actor.userId,
    assignedAt: ctx.now,
    endedAt: null,
    endedBy: null,
  });

  const change = new Change(ctx, incident).event("role_assigned", {
    role: i.role,
    userId: i.userId,
    replaced: current?.userId ?? null,
  });
  change.job("slack.notify_user", { userId: i.userId, role: i.role });
  if (i.role === COMMANDER) change.sync();
  return change.result();
}
