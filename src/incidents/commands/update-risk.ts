import { z } from "zod";
import { AppError } from "../../errors.js";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { RISK_STATUSES, type Risk, type RiskField } from "../model.js";
import { authorize } from "../permissions.js";
import { reviewReminder, riskLevel } from "./add-risk.js";

export const updateRiskInput = z.object({
  riskId: z.string().min(1),
  title: input.requiredText("the title", input.LIMITS.title).optional(),
  description: input.requiredText("the risk").optional(),
  likelihood: riskLevel.nullable().optional(),
  impact: riskLevel.nullable().optional(),
  /** null: nobody owns it any more. */
  ownerId: input.userId.nullable().optional(),
  /** null: no review date. */
  reviewAt: input.date.nullable().optional(),
  status: z.enum(RISK_STATUSES, { error: `The status is one of: ${RISK_STATUSES.join(", ")}.` }).optional(),
});
export type UpdateRiskInput = z.input<typeof updateRiskInput>;

const asText = (v: unknown): string | null =>
  v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v);

/**
 * Changes a risk in the register (status, owner, review date, rating,
 * words). Each changed field is recorded with who, when, from and to; the
 * owner, a responder of the incident that revealed it, or an admin may.
 */
export async function updateRisk(ctx: CommandContext, raw: UpdateRiskInput): Promise<CommandResult> {
  const i = input.parseInput(updateRiskInput, raw);
  const risk = await ctx.tx.findRisk(i.riskId);
  const source = risk ? await ctx.tx.findIncidentById(risk.incidentId) : null;
  if (!risk || !source) throw new AppError("not_found", "That risk is not in the register.");
  const { incident, roles } = await loadIncident(ctx, source.key);
  if (!risk.ownerId || risk.ownerId !== ctx.actor.userId) authorize("updateRisk", ctx.actor, roles, incident.key);
  const next: Risk = { ...risk };
  const changes: { field: RiskField; from: string | null; to: string | null }[] = [];
  for (const field of ["title", "description", "likelihood", "impact", "ownerId", "reviewAt", "status"] as const) {
    const v = i[field];
    if (v === undefined) continue;
    const from = asText(risk[field]);
    const to = asText(v);
    if (from === to) continue;
    (next as unknown as Record<string, unknown>)[field] = v;
    changes.push({ field, from, to });
  }
  if (!changes.length) throw new AppError("validation", "Nothing about the risk changed.");
  next.updatedAt = ctx.now;
  await ctx.tx.updateRisk(risk.id, next);
  await ctx.tx.insertRiskChanges(
    changes.map((c) => ({
      riskId: risk.id,
      at: ctx.now,
      actorId: ctx.actor.userId,
      field: c.field,
      fromValue: c.from,
      toValue: c.to,
    })),
  );
  const change = new Change(ctx, incident).event("risk_updated", { riskId: risk.id, title: next.title, changes });
  const rearm = changes.some((c) => c.field === "reviewAt" || c.field === "ownerId" || c.field === "status");
  if (rearm && (next.status === "open" || next.status === "accepted"))
    for (const j of reviewReminder(next, ctx.now)) change.job(j.kind, j.payload, { delayMs: j.delayMs });
  return change.result({}, { riskId: risk.id, changed: changes.map((c) => c.field) });
}
