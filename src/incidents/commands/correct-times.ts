import { z } from "zod";
import { AppError } from "../../errors.js";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import type { IncidentTimes } from "../model.js";
import { authorize } from "../permissions.js";
import { validateTimes } from "../times.js";

/** The times people know better than the bot. Declared/resolved/closed are facts the bot witnessed. */
const EDITABLE = ["impactStartedAt", "detectedAt", "mitigatedAt"] as const;

export const correctTimesInput = z.object({
  key: z.string(),
  impactStartedAt: input.date.nullable().optional(),
  detectedAt: input.date.nullable().optional(),
  mitigatedAt: input.date.nullable().optional(),
  reason: input.text("a reason").optional(),
});
export type CorrectTimesInput = z.input<typeof correctTimesInput>;

export async function correctTimes(ctx: CommandContext, raw: CorrectTimesInput): Promise<CommandResult> {
  const i = input.parseInput(correctTimesInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("correctTimes", ctx.actor, roles, incident.key);

  const times: IncidentTimes = { ...incident.times };
  const changed: Record<string, { from: string | null; to: string | null }> = {};
  for (const k of EDITABLE) {
    const v = i[k];
    if (v === undefined) continue;
    if ((times[k]?.getTime() ?? null) === (v?.getTime() ?? null)) continue;
    if (k === "mitigatedAt" && v === null && incident.status !== "investigating") {
      throw new AppError("validation", `${incident.key} is ${incident.status}, so it needs a mitigation time.`, {
        field: k,
      });
    }
    changed[k] = { from: times[k]?.toISOString() ?? null, to: v?.toISOString() ?? null };
    times[k] = v;
  }
  if (Object.keys(changed).length === 0) {
    throw new AppError("validation", "Those are the times already recorded; nothing changed.");
  }
  validateTimes(times, ctx.now);
  return new Change(ctx, incident).event("times_corrected", { changed, reason: i.reason || null }).result({ times });
}
