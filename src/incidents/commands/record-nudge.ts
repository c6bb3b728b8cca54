// muster itself, when it has nudged someone: the nudge goes on the timeline
// (what was missing, which nudge about it). The worker has already posted it;
// the event's own effects post nothing, so a nudge is said once.
import { z } from "zod";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import { NUDGE_KINDS } from "../nudges.js";

export const recordNudgeInput = z.object({
  key: z.string(),
  what: z.enum(NUDGE_KINDS),
  /** The vendor check or follow-up it is about. */
  subject: z.string().optional(),
  /** 1 for the first nudge about this gap. */
  n: z.number().int().min(1),
  /** Who was nudged by DM; the channel when absent. */
  userId: z.string().optional(),
});
export type RecordNudgeInput = z.input<typeof recordNudgeInput>;

export async function recordNudge(ctx: CommandContext, raw: RecordNudgeInput): Promise<CommandResult> {
  const i = recordNudgeInput.parse(raw);
  const { incident } = await loadIncident(ctx, i.key);
  return new Change(ctx, incident)
    .event("nudged", {
      what: i.what,
      n: i.n,
      ...(i.subject ? { subject: i.subject } : {}),
      ...(i.userId ? { userId: i.userId } : {}),
    })
    .result();
}
