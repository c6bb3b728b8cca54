// The end-of-day hand-off on the timeline: muster asking the IC (and a day
// that ended unanswered), and the IC staying on. When each is due is worked
// out in ../day-end.ts from the IC's zone and working hours.
import { z } from "zod";
import { AppError } from "../../errors.js";
import { assertOpen, Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import { DAY_END_SNOOZES, snoozeUntil } from "../day-end.js";
import * as input from "../input.js";
import { commanderOf } from "../permissions.js";
import { isOpen } from "../transitions.js";

export const recordDayEndInput = z.object({
  key: z.string(),
  /** The IC the round was worked out for: nothing is recorded if the role has moved since. */
  icId: z.string(),
  action: z.enum(["remind", "unanswered"]),
  round: z.string(),
  deadline: z.string(),
  tz: z.string(),
  /** Slack would not say the IC's zone: the times were worked out in UTC, and the DM says so. */
  tzUnknown: z.boolean().optional(),
});
export type RecordDayEndInput = z.input<typeof recordDayEndInput>;

/**
 * muster itself, when a round comes due. Run with an idempotency key naming
 * the round, so a link run twice (a restart, two replicas) records it once.
 */
export async function recordDayEnd(ctx: CommandContext, raw: RecordDayEndInput): Promise<CommandResult> {
  const i = recordDayEndInput.parse(raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  if (!isOpen(incident.status) || commanderOf(roles) !== i.icId)
    return { incidentId: incident.id, key: incident.key, eventIds: [], recorded: false };
  const kind = i.action === "remind" ? "day_end_reminded" : "day_end_unanswered";
  const data = {
    icId: i.icId,
    round: i.round,
    deadline: i.deadline,
    tz: i.tz,
    ...(i.tzUnknown ? { tzUnknown: true } : {}),
    ...(i.action === "unanswered" ? { severity: incident.severity } : {}),
  };
  return new Change(ctx, incident).event(kind, data).result({}, { recorded: true });
}

export const snoozeDayEndInput = z.object({
  key: z.string(),
  snooze: z.enum(DAY_END_SNOOZES),
});
export type SnoozeDayEndInput = z.input<typeof snoozeDayEndInput>;

/** "I'm staying on": the IC is asked again when the snooze ends (next working day: 30 minutes before it ends). */
export async function snoozeDayEnd(ctx: CommandContext, raw: SnoozeDayEndInput): Promise<CommandResult> {
  const i = input.parseInput(snoozeDayEndInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  assertOpen(incident, "stay on as its IC");
  const ic = commanderOf(roles);
  if (ic !== ctx.actor.userId)
    throw new AppError("forbidden", `Only ${incident.key}'s Incident Commander can say they are staying on.`);
  const until = snoozeUntil(ctx.now, i.snooze);
  return new Change(ctx, incident)
    .event("day_end_snoozed", { icId: ic, snooze: i.snooze, ...(until ? { until: until.toISOString() } : {}) })
    .result({}, { until: until?.toISOString() ?? null });
}
