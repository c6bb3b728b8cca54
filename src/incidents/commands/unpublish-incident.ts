import { z } from "zod";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { authorize } from "../permissions.js";
import { notPublished } from "../publication.js";

export const unpublishIncidentInput = z.object({
  key: z.string(),
  reason: input.requiredText("why it comes off the status page"),
});
export type UnpublishIncidentInput = z.input<typeof unpublishIncidentInput>;

/**
 * Takes the incident off the public status page. The publication row is
 * deleted rather than marked withdrawn: nothing of it is left for a public
 * read to leak, and publishing again mints a new public id, so an old link
 * stays dead. What was withdrawn (title, public id) is kept on the internal
 * timeline with who and why.
 */
export async function unpublishIncident(ctx: CommandContext, raw: UnpublishIncidentInput): Promise<CommandResult> {
  const i = input.parseInput(unpublishIncidentInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("unpublish", ctx.actor, roles, incident.key);
  const publication = await ctx.tx.findPublication(incident.id);
  if (!publication) throw notPublished(incident.key);
  await ctx.tx.deletePublication(incident.id);
  return new Change(ctx, incident)
    .event("unpublished", {
      reason: i.reason,
      publicId: publication.publicId,
      title: publication.title,
      publishedAt: publication.publishedAt.toISOString(),
    })
    .result();
}
