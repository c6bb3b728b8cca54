import { z } from "zod";
import { AppError } from "../../errors.js";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import type { IncidentTimes } from "../model.js";
import { authorize } from "../permissions.js";
import { validateTimes } from "../times.js";

/**
 * The times people know better than the bot. Declared and closed are facts
 * the bot witnessed; resolved too, but people resolve in muster after the
 * fact, so once an incident is resolved its resolution time may be corrected.
 */
const EDITABLE = ["impactStartedAt", "detectedAt", "mitigatedAt", "resolvedAt"] as const;

export const correctTimesInput = z.object({
  key: z.string(),
  impactStartedAt: input.date.nullable().optional(),
  detectedAt: input.date.nullable().optional(),
  mitigatedAt: input.date.nullable().optional(),
  resolvedAt: input.date.nullable().optional(),
  reason: input.text("a reason").optional(),
});
export type CorrectTimesInput = z.input<typeof correctTimesInput>;

const RESOLVED = new Set(["resolved", "closed"]);
const seconds = (d: Date | null | undefined) => (d ? Math.floor(d.getTime() / 1000) : null);

export async function correctTimes(ctx: CommandContext, raw: CorrectTimesInput): Promise<CommandResult> {
  const i = input.parseInput(correctTimesInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("correctTimes", ctx.actor, roles, incident.key);

  const times: IncidentTimes = { ...incident.times };
  const changed: Record<string, { from: string | null; to: string | null }> = {};
  for (const k of EDITABLE) {
    const v = i[k];
    if (v === undefined) continue;
    // To the second: date-time pickers show whole minutes and give back whole seconds.
    if (seconds(times[k]) === seconds(v)) continue;
    if (k === "mitigatedAt" && v === null && incident.status !== "investigating") {
      throw new AppError("validation", `${incident.key} is ${incident.status}, so it needs a mitigation time.`, {
        field: k,
      });
    }
    if (k === "resolvedAt" && !RESOLVED.has(incident.status)) {
      throw new AppError("validation", `${incident.key} is not resolved, so it has no resolution time to correct.`, {
        field: k,
      });
    }
    if (k === "resolvedAt" && v === null) {
      throw new AppError("validation", `${incident.key} is ${incident.status}, so it needs a resolution time.`, {
        field: k,
      });
    }
    changed[k] = { from: times[k]?.toISOString() ?? null, to: v?.toISOString() ?? null };
    times[k] = v;
  }
  if (Object.keys(changed).length === 0) {
    throw new AppError("validation", "Those are the times already recorded; nothing changed.");
  }
  validateTimes(times, ctx.now, new Set(Object.keys(changed) as (keyof IncidentTimes)[]));
  return new Change(ctx, incident).event("times_corrected", { changed, reason: i.reason || null }).result({ times });
}
