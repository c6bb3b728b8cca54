import { z } from "zod";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { authorize } from "../permissions.js";

export const repairIncidentInput = z.object({ key: z.string() });
export type RepairIncidentInput = z.input<typeof repairIncidentInput>;

/**
 * Recreates whatever is missing outside (channel, bookmarks, announcement,
 * issue, doc). Every job looks before it creates, so repairing an intact
 * incident changes nothing.
 */
export async function repairIncident(ctx: CommandContext, raw: RepairIncidentInput): Promise<CommandResult> {
  const i = input.parseInput(repairIncidentInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("repair", ctx.actor, roles, incident.key);
  return new Change(ctx, incident)
    .event("repair_requested", {})
    .job("slack.create_channel", { repair: true })
    .job("slack.sync_announcement", { repair: true })
    .job("github.sync_issue", { repair: true })
    .job("google.create_doc", { repair: true })
    .job("slack.sync_bookmarks", { repair: true })
    .result();
}
