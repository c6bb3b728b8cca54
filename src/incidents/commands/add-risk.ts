import { z } from "zod";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { RISK_LEVELS, type Risk } from "../model.js";
import { authorize } from "../permissions.js";

export const riskLevel = z.enum(RISK_LEVELS, { error: `Pick one of: ${RISK_LEVELS.join(", ")}.` });

export const addRiskInput = z.object({
  key: z.string(),
  title: input.text("the title", input.LIMITS.title).optional(),
  description: input.requiredText("the risk"),
  likelihood: riskLevel.optional(),
  impact: riskLevel.optional(),
  ownerId: input.userId.optional(),
  reviewAt: input.date.optional(),
  source: z.enum(["slack", "cli"]).default("slack"),
});
export type AddRiskInput = z.input<typeof addRiskInput>;

/** A title from the first line of the description, for risks entered without one. */
export const titleFrom = (description: string) => {
  const first = description.split("\n")[0]!.trim();
  return first.length > 100 ? `${first.slice(0, 99)}…` : first;
};

/** The job that reminds the owner at the review date: stale once the date or the status changes. */
export const reviewReminder = (risk: Pick<Risk, "id" | "reviewAt" | "ownerId">, now: Date) =>
  risk.reviewAt && risk.ownerId
    ? [
        {
          kind: "dr.risk_review" as const,
          payload: { riskId: risk.id, reviewAt: risk.reviewAt.toISOString() },
          delayMs: Math.max(1, risk.reviewAt.getTime() - now.getTime()),
        },
      ]
    : [];

/** Newly identified risks go to the risk register, linked to the incident that revealed them. */
export async function addRisk(ctx: CommandContext, raw: AddRiskInput): Promise<CommandResult> {
  const i = input.parseInput(addRiskInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("addRisk", ctx.actor, roles, incident.key);
  const risk: Risk = {
    id: ctx.newId(),
    incidentId: incident.id,
    title: i.title || titleFrom(i.description),
    description: i.description,
    likelihood: i.likelihood ?? null,
    impact: i.impact ?? null,
    ownerId: i.ownerId ?? null,
    reviewAt: i.reviewAt ?? null,
    status: "open",
    source: i.source,
    createdBy: ctx.actor.userId,
    createdAt: ctx.now,
    updatedAt: null,
  };
  await ctx.tx.insertRisk(risk);
  const change = new Change(ctx, incident).event("risk_added", {
    riskId: risk.id,
    title: risk.title,
    description: i.description,
    ownerId: risk.ownerId,
  });
  for (const j of reviewReminder(risk, ctx.now)) change.job(j.kind, j.payload, { delayMs: j.delayMs });
  return change.result({}, { riskId: risk.id });
}
