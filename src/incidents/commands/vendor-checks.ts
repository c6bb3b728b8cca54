import { z } from "zod";
import { AppError } from "../../errors.js";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { authorize } from "../permissions.js";

export const recordVendorCheckInput = z.object({
  key: z.string(),
  vendor: input.requiredText("the vendor", input.LIMITS.name),
  /** Who contacts the vendor; defaults to the person recording it. */
  askedBy: input.userId.optional(),
  askedAt: input.date.optional(),
  answer: input.vendorAnswer.default("pending"),
  notes: input.text("the notes").optional(),
});
export type RecordVendorCheckInput = z.input<typeof recordVendorCheckInput>;

/** Tracks "is their product compromised?": which vendor, who asked, when, and the answer. */
export async function recordVendorCheck(ctx: CommandContext, raw: RecordVendorCheckInput): Promise<CommandResult> {
  const i = input.parseInput(recordVendorCheckInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("recordVendorCheck", ctx.actor, roles, incident.key);
  const askedAt = i.askedAt ?? ctx.now;
  if (askedAt.getTime() > ctx.now.getTime() + 5 * 60_000) {
    throw new AppError("validation", "When the vendor was asked can't be in the future.", { field: "askedAt" });
  }
  const id = ctx.newId();
  const answered = i.answer !== "pending";
  await ctx.tx.insertVendorCheck({
    id,
    incidentId: incident.id,
    vendor: i.vendor,
    askedBy: i.askedBy ?? ctx.actor.userId,
    askedAt,
    answer: i.answer,
    answeredAt: answered ? ctx.now : null,
    notes: i.notes || null,
  });
  const change = new Change(ctx, incident).event("vendor_check_requested", {
    vendorCheckId: id,
    vendor: i.vendor,
    askedBy: i.askedBy ?? ctx.actor.userId,
    askedAt: askedAt.toISOString(),
  });
  if (answered) change.event("vendor_check_answered", { vendorCheckId: id, vendor: i.vendor, answer: i.answer });
  return change.result({}, { vendorCheckId: id });
}

export const answerVendorCheckInput = z.object({
  key: z.string(),
  vendorCheckId: z.string().min(1),
  answer: input.vendorAnswer.refine((a) => a !== "pending", "Pick the vendor's answer."),
  notes: input.text("the notes").optional(),
});
export type AnswerVendorCheckInput = z.input<typeof answerVendorCheckInput>;

export async function answerVendorCheck(ctx: CommandContext, raw: AnswerVendorCheckInput): Promise<CommandResult> {
  const i = input.parseInput(answerVendorCheckInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("recordVendorCheck", ctx.actor, roles, incident.key);
  const check = await ctx.tx.findVendorCheck(i.vendorCheckId);
  if (!check || check.incidentId !== incident.id) {
    throw new AppError("not_found", `That vendor check is not part of ${incident.key}.`);
  }
  await ctx.tx.answerVendorCheck(check.id, { answer: i.answer, answeredAt: ctx.now, notes: i.notes || check.notes });
  return new Change(ctx, incident)
    .event("vendor_check_answered", {
      vendorCheckId: check.id,
      vendor: check.vendor,
      answer: i.answer,
      previous: check.answer,
    })
    .result({}, { vendorCheckId: check.id });
}
