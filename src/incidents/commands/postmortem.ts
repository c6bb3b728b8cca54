import { z } from "zod";
import { AppError } from "../../errors.js";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { POSTMORTEM_SECTIONS, type Postmortem } from "../model.js";
import { authorize } from "../permissions.js";
import {
  emptyPostmortem,
  missingSections,
  POSTMORTEM_SECTION_LABELS,
  postmortemRequired,
} from "../postmortem-rules.js";

const section = (what: string) => input.text(what, input.LIMITS.longText).optional();

export const updatePostmortemInput = z.object({
  key: z.string(),
  details: section("the details"),
  timeline: section("the timeline"),
  impact: section("the impact"),
  actionsTaken: section("the actions taken"),
  rootCauses: section("the root causes"),
  followUps: section("the follow-ups"),
  newRisks: section("the new risks"),
  externalVersionShared: z.boolean().optional(),
});
export type UpdatePostmortemInput = z.input<typeof updatePostmortemInput>;

export async function updatePostmortem(ctx: CommandContext, raw: UpdatePostmortemInput): Promise<CommandResult> {
  const i = input.parseInput(updatePostmortemInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("updatePostmortem", ctx.actor, roles, incident.key);
  const pm: Postmortem = (await ctx.tx.findPostmortem(incident.id)) ?? emptyPostmortem(incident.id, ctx.now);
  const changed: string[] = [];
  for (const s of POSTMORTEM_SECTIONS) {
    const v = i[s];
    if (v !== undefined && v !== pm[s]) {
      pm[s] = v;
      changed.push(s);
    }
  }
  if (i.externalVersionShared !== undefined && i.externalVersionShared !== pm.externalVersionShared) {
    pm.externalVersionShared = i.externalVersionShared;
    changed.push("externalVersionShared");
  }
  if (changed.length === 0) throw new AppError("validation", "Nothing in the post-mortem changed.");
  pm.updatedAt = ctx.now;
  await ctx.tx.savePostmortem(pm);
  return new Change(ctx, incident).event("postmortem_updated", { sections: changed }).result();
}

export const completePostmortemInput = z.object({ key: z.string() });
export type CompletePostmortemInput = z.input<typeof completePostmortemInput>;

export async function completePostmortem(ctx: CommandContext, raw: CompletePostmortemInput): Promise<CommandResult> {
  const i = input.parseInput(completePostmortemInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("completePostmortem", ctx.actor, roles, incident.key);
  const pm = await ctx.tx.findPostmortem(incident.id);
  const missing = missingSections(pm);
  if (!pm || missing.length) {
    const names = missing.map((s) => POSTMORTEM_SECTION_LABELS[s].toLowerCase()).join(", ");
    throw new AppError("validation", `The post-mortem for ${incident.key} still needs: ${names}.`);
  }
  if (pm.status === "complete") throw new AppError("validation", "The post-mortem is already complete.");
  await ctx.tx.savePostmortem({
    ...pm,
    status: "complete",
    completedBy: ctx.actor.userId,
    completedAt: ctx.now,
    updatedAt: ctx.now,
  });
  return new Change(ctx, incident).event("postmortem_completed", {}).result();
}

export const waivePostmortemInput = z.object({
  key: z.string(),
  reason: input.requiredText("why no post-mortem is needed"),
});
export type WaivePostmortemInput = z.input<typeof waivePostmortemInput>;

export async function waivePostmortem(ctx: CommandContext, raw: WaivePostmortemInput): Promise<CommandResult> {
  const i = input.parseInput(waivePostmortemInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("waivePostmortem", ctx.actor, roles, incident.key);
  if (!postmortemRequired(incident.impacts)) {
    throw new AppError("validation", `${incident.key} does not need a post-mortem, so there is nothing to waive.`);
  }
  const pm = (await ctx.tx.findPostmortem(incident.id)) ?? emptyPostmortem(incident.id, ctx.now);
  if (pm.status === "complete") throw new AppError("validation", "The post-mortem is already complete.");
  await ctx.tx.savePostmortem({
    ...pm,
    status: "waived",
    waivedBy: ctx.actor.userId,
    waivedReason: i.reason,
    updatedAt: ctx.now,
  });
  return new Change(ctx, incident).event("postmortem_waived", { reason: i.reason }).result();
}
