import { z } from "zod";
import { AppError } from "../../errors.js";
import { companyPolicyOf } from "../company-policy.js";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { POSTMORTEM_SECTIONS, type Postmortem, type Risk } from "../model.js";
import { authorize, commanderOf } from "../permissions.js";
import { emptyPostmortem, gapWords, missingParts, postmortemRequired } from "../postmortem-rules.js";
import { titleFrom } from "./add-risk.js";

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
  publicSummary: section("the public summary"),
  externalVersionShared: z.boolean().optional(),
  externalSharedWhere: input.text("where it was shared").optional(),
  /** Typed in Slack, or read back from the post-mortem doc. */
  source: z.enum(["slack", "doc", "cli"]).default("slack"),
});
export type UpdatePostmortemInput = z.input<typeof updatePostmortemInput>;

const EDITABLE = [...POSTMORTEM_SECTIONS, "publicSummary", "externalSharedWhere"] as const;

/** Saves a draft: any part, any time. The first save makes the post-mortem (owned by the IC) and its doc. */
export async function updatePostmortem(ctx: CommandContext, raw: UpdatePostmortemInput): Promise<CommandResult> {
  const i = input.parseInput(updatePostmortemInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  const existing = await ctx.tx.findPostmortem(incident.id);
  if (existing?.ownerId !== ctx.actor.userId) authorize("updatePostmortem", ctx.actor, roles, incident.key);
  if (existing?.status === "complete")
    throw new AppError("validation", `The post-mortem for ${incident.key} is already complete.`);
  const pm: Postmortem = existing ?? emptyPostmortem(incident.id, ctx.now, commanderOf(roles));
  const changed: string[] = [];
  for (const s of EDITABLE) {
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
  if (changed.length === 0) {
    throw new AppError(
      "validation",
      i.source === "doc"
        ? "The doc holds nothing the post-mortem doesn't have already."
        : "Nothing in the post-mortem changed.",
    );
  }
  pm.updatedAt = ctx.now;
  await ctx.tx.savePostmortem(pm);
  const change = new Change(ctx, incident).event("postmortem_updated", { sections: changed, source: i.source });
  if (!existing) change.job("google.create_postmortem_doc");
  return change.result({}, { sections: changed });
}

export const completePostmortemInput = z.object({ key: z.string() });
export type CompletePostmortemInput = z.input<typeof completePostmortemInput>;

/** The IC or the owner marks it complete; refused, naming each part, while anything is empty. */
export async function completePostmortem(ctx: CommandContext, raw: CompletePostmortemInput): Promise<CommandResult> {
  const i = input.parseInput(completePostmortemInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  const pm = await ctx.tx.findPostmortem(incident.id);
  if (!pm?.ownerId || pm.ownerId !== ctx.actor.userId) authorize("completePostmortem", ctx.actor, roles, incident.key);
  if (pm?.status === "complete") throw new AppError("validation", "The post-mortem is already complete.");
  const [followUps, risks] = await Promise.all([ctx.tx.listFollowUps(incident.id), ctx.tx.listRisks(incident.id)]);
  const missing = missingParts(pm, { followUps, risks });
  if (!pm || missing.length) {
    throw new AppError("validation", `The post-mortem for ${incident.key} still needs: ${gapWords(missing)}.`, {
      field: "complete",
    });
  }
  await ctx.tx.savePostmortem({
    ...pm,
    status: "complete",
    completedBy: ctx.actor.userId,
    completedAt: ctx.now,
    updatedAt: ctx.now,
  });
  const change = new Change(ctx, incident).event("postmortem_completed", {});
  // "Newly identified risks must be added to the risk register": each listed
  // risk not already in it becomes an entry, once (completing again finds it there).
  const known = new Set(risks.flatMap((r) => [sameRisk(r.title), sameRisk(r.description)]));
  for (const text of risksListedIn(pm.newRisks)) {
    if (known.has(sameRisk(text))) continue;
    known.add(sameRisk(text));
    const risk: Risk = {
      id: ctx.newId(),
      incidentId: incident.id,
      title: titleFrom(text),
      description: text,
      likelihood: null,
      impact: null,
      ownerId: null,
      reviewAt: null,
      status: "open",
      source: "postmortem",
      createdBy: ctx.actor.userId,
      createdAt: ctx.now,
      updatedAt: null,
    };
    await ctx.tx.insertRisk(risk);
    change.event("risk_added", {
      riskId: risk.id,
      title: risk.title,
      description: text,
      ownerId: null,
      source: "postmortem",
    });
  }
  return change.sync().result();
}

/**
 * The risks a post-mortem's "newly identified risks" lists: one per bullet
 * or numbered line (a continuation line joins the item above). Prose with
 * no list (why there are none) lists nothing.
 */
export function risksListedIn(text: string): string[] {
  const items: string[] = [];
  let inItem = false;
  for (const line of text.split("\n")) {
    const m = /^\s*(?:[-*•]|\d{1,3}[.)])\s+(.*\S)\s*$/.exec(line);
    if (m) {
      items.push(m[1]!);
      inItem = true;
    } else if (inItem && line.trim() && /^\s/.test(line)) {
      items[items.length - 1] += ` ${line.trim()}`;
    } else inItem = false;
  }
  return items.map((t) => t.slice(0, 3000));
}

const sameRisk = (s: string) => s.toLowerCase().replace(/\s+/g, " ").trim();

export const waivePostmortemInput = z.object({
  key: z.string(),
  reason: input.requiredText("why no post-mortem is needed"),
});
export type WaivePostmortemInput = z.input<typeof waivePostmortemInput>;

/** Admins only: the policy has no waiver. The reason shows wherever the incident is shown. */
export async function waivePostmortem(ctx: CommandContext, raw: WaivePostmortemInput): Promise<CommandResult> {
  const i = input.parseInput(waivePostmortemInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("waivePostmortem", ctx.actor, roles, incident.key);
  if (!postmortemRequired(incident, companyPolicyOf(ctx.policy).postmortem)) {
    throw new AppError("validation", `${incident.key} does not need a post-mortem, so there is nothing to waive.`);
  }
  const pm = (await ctx.tx.findPostmortem(incident.id)) ?? emptyPostmortem(incident.id, ctx.now, commanderOf(roles));
  if (pm.status === "complete") throw new AppError("validation", "The post-mortem is already complete.");
  await ctx.tx.savePostmortem({
    ...pm,
    status: "waived",
    waivedBy: ctx.actor.userId,
    waivedReason: i.reason,
    updatedAt: ctx.now,
  });
  return new Change(ctx, incident).event("postmortem_waived", { reason: i.reason }).sync().result();
}
