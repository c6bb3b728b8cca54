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
  /** When an answer is needed by. */
  deadline: input.date.optional(),
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
  if (i.deadline && i.deadline.getTime() < askedAt.getTime()) {
    throw new AppError("validation", "The deadline can't be before the vendor was asked.", { field: "deadline" });
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
    deadline: i.deadline ?? null,
  });
  const change = new Change(ctx, incident).event("vendor_check_requested", {
    vendorCheckId: id,
    vendor: i.vendor,
    askedBy: i.askedBy ?? ctx.actor.userId,
    askedAt: askedAt.toISOString(),
    deadline: i.deadline?.toISOString() ?? null,
  });
  // A check still waiting at its deadline is nudged about (nudges.ts): the event restarts the nudge timer.
  if (answered) change.event("vendor_check_answered", { vendorCheckId: id, vendor: i.vendor, answer: i.answer });
  return change.result({}, { vendorCheckId: id });
}

export const answerVendorCheckInput = z.object({
  key: z.string(),
  vendorCheckId: z.string().min(1),
  /** "pending": still waiting (a chase, with a note saying so). */
  answer: input.vendorAnswer,
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
  if (i.answer === "pending" && !i.notes) {
    throw new AppError("validation", "Say what the vendor said so far (still waiting).", { field: "notes" });
  }
  await ctx.tx.answerVendorCheck(check.id, {
    answer: i.answer,
    answeredAt: i.answer === "pending" ? check.answeredAt : ctx.now,
    notes: i.notes || check.notes,
  });
  return new Change(ctx, incident)
    .event("vendor_check_answered", {
      vendorCheckId: check.id,
      vendor: check.vendor,
      answer: i.answer,
      previous: check.answer,
    })
    .result({}, { vendorCheckId: check.id });
}
