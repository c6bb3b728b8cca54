// Reminders about an unwritten post-mortem: a chain of timer jobs, one link
// at a time. Each link carries `seq`, the number of reminders and snoozes on
// the timeline when it was queued; a link whose count is out of date (a
// reminder already sent for it, or a snooze since) does nothing. So each
// reminder is sent once, however often its job runs, and a snooze replaces
// the chain instead of adding a second one.
import { z } from "zod";
import { AppError } from "../../errors.js";
import { addBusinessDays, nextBusinessMoment } from "../business-days.js";
import {
  Change,
  type CommandContext,
  type CommandResult,
  DEFAULT_POSTMORTEM_REMINDERS,
  loadIncident,
} from "../context.js";
import type { EventKind, Incident, Status } from "../model.js";
import { authorize } from "../permissions.js";

/** The links of the chain: a reminder sent, or a snooze that restarted it. */
export const REMINDER_CHAIN: readonly EventKind[] = ["postmortem_reminded", "postmortem_reminder_snoozed"];

/** Reminders run while the incident stays resolved or closed; reopening it stops them. */
const AFTER_RESOLVE: readonly Status[] = ["resolved", "closed"];

export const remindPostmortemInput = z.object({
  key: z.string(),
  /** The chain's count when this link was queued. */
  seq: z.number().int().min(0),
  /** First link, queued at resolve: only works out when the first reminder is due. */
  plan: z.boolean().optional(),
  /** The owner's time zone (Slack `users.info`), for business days. */
  ownerTz: z.string(),
});
export type RemindPostmortemInput = z.input<typeof remindPostmortemInput>;

const noop = (incident: Incident, extra: Record<string, unknown>): CommandResult => ({
  incidentId: incident.id,
  key: incident.key,
  eventIds: [],
  ...extra,
});

/**
 * muster itself, when a reminder link comes due: reminds the owner (and past
 * the deadline, the lead) unless the post-mortem is done, waived or the link
 * is stale; then queues the next link. Weekends in the owner's zone wait for Monday.
 */
export async function remindPostmortem(ctx: CommandContext, raw: RemindPostmortemInput): Promise<CommandResult> {
  const i = remindPostmortemInput.parse(raw);
  const { incident } = await loadIncident(ctx, i.key);
  const rules = ctx.policy.postmortemReminders ?? DEFAULT_POSTMORTEM_REMINDERS;
  const pm = await ctx.tx.findPostmortem(incident.id);
  if (pm?.status !== "draft" || !pm.ownerId || !AFTER_RESOLVE.includes(incident.status))
    return noop(incident, { reminded: false, reason: "not_owed" });
  const count = await ctx.tx.countEvents(incident.id, REMINDER_CHAIN);
  if (count !== i.seq) return noop(incident, { reminded: false, reason: "stale" });
  const link = (seq: number, due: Date) => ({
    incidentId: incident.id,
    kind: "slack.postmortem_reminder_due" as const,
    payload: { seq },
    delayMs: Math.max(1, due.getTime() - ctx.now.getTime()),
  });
  const resolvedAt = incident.times.resolvedAt ?? ctx.now;
  if (i.plan) {
    const first = addBusinessDays(resolvedAt, rules.firstAfterDays, i.ownerTz);
    await ctx.tx.enqueueJobs([link(i.seq, first)], ctx.now);
    return noop(incident, { reminded: false, dueAt: first.toISOString() });
  }
  const businessNow = nextBusinessMoment(ctx.now, i.ownerTz);
  if (businessNow > ctx.now) {
    await ctx.tx.enqueueJobs([link(i.seq, businessNow)], ctx.now);
    return noop(incident, { reminded: false, dueAt: businessNow.toISOString() });
  }
  const n = (await ctx.tx.countEvents(incident.id, ["postmortem_reminded"])) + 1;
  const change = new Change(ctx, incident).event("postmortem_reminded", { ownerId: pm.ownerId, n });
  const deadlineDays = rules.deadlineDays[incident.severity];
  const deadline = addBusinessDays(resolvedAt, deadlineDays, i.ownerTz);
  const escalated = (await ctx.tx.countEvents(incident.id, ["postmortem_escalated"])) > 0;
  if (ctx.now >= deadline && !escalated)
    change.event("postmortem_escalated", { ownerId: pm.ownerId, deadline: deadline.toISOString(), deadlineDays });
  const next = addBusinessDays(ctx.now, rules.everyDays, i.ownerTz);
  const { payload, delayMs } = link(i.seq + 1, next);
  return change
    .job("slack.postmortem_reminder_due", payload, { delayMs })
    .result({}, { reminded: true, nextAt: next.toISOString() });
}

export const snoozePostmortemRemindersInput = z.object({
  key: z.string(),
  days: z.number().int().min(1).max(10).default(1),
});
export type SnoozePostmortemRemindersInput = z.input<typeof snoozePostmortemRemindersInput>;

/** The owner (or the IC) puts the reminders off: the next one comes after `days` days, on a business day. */
export async function snoozePostmortemReminders(
  ctx: CommandContext,
  raw: SnoozePostmortemRemindersInput,
): Promise<CommandResult> {
  const i = snoozePostmortemRemindersInput.parse(raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  const pm = await ctx.tx.findPostmortem(incident.id);
  if (pm?.ownerId !== ctx.actor.userId) authorize("completePostmortem", ctx.actor, roles, incident.key);
  if (pm?.status !== "draft" || !AFTER_RESOLVE.includes(incident.status))
    throw new AppError("validation", `No post-mortem reminders are running for ${incident.key}.`);
  const until = new Date(ctx.now.getTime() + i.days * 24 * 60 * 60_000);
  const seq = (await ctx.tx.countEvents(incident.id, REMINDER_CHAIN)) + 1;
  return new Change(ctx, incident)
    .event("postmortem_reminder_snoozed", { until: until.toISOString(), days: i.days })
    .job("slack.postmortem_reminder_due", { seq }, { delayMs: until.getTime() - ctx.now.getTime() })
    .result({}, { until: until.toISOString() });
}
