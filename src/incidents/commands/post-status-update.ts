import { z } from "zod";
import { AppError } from "../../errors.js";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { authorize } from "../permissions.js";
import { applyPublication, publicationFields, touchPublication } from "../publication.js";
import { STATUS_LABELS } from "../transitions.js";

export const postStatusUpdateInput = z.object({
  key: z.string(),
  internalText: input.requiredText("the update"),
  /** Customer-facing wording, kept apart from the internal text; optional and deliberate. */
  publicText: input.text("the customer-facing text").optional(),
  ...publicationFields,
});
export type PostStatusUpdateInput = z.input<typeof postStatusUpdateInput>;

export async function postStatusUpdate(ctx: CommandContext, raw: PostStatusUpdateInput): Promise<CommandResult> {
  const i = input.parseInput(postStatusUpdateInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("postStatusUpdate", ctx.actor, roles, incident.key);
  if (incident.status === "closed" || incident.status === "not_an_incident") {
    throw new AppError(
      "invalid_transition",
      `${incident.key} is ${STATUS_LABELS[incident.status]}; reopen it to post updates.`,
    );
  }
  const id = ctx.newId();
  const publicText = i.publicText || null;
  // Publishing is the IC's call; the update itself is any responder's.
  const published = await applyPublication(ctx, incident, roles, i);
  if (publicText && !published) await touchPublication(ctx, incident);
  await ctx.tx.insertStatusUpdate({
    id,
    incidentId: incident.id,
    authorId: ctx.actor.userId,
    internalText: i.internalText,
    publicText,
    postedAt: ctx.now,
  });
  const change = new Change(ctx, incident);
  // The control message shows the public title, with its Unpublish button.
  if (published) change.job("slack.sync_channel");
  return change
    .event(
      "status_update",
      { statusUpdateId: id, internalText: i.internalText, publicText, ...(published ? { published } : {}) },
      { visibility: publicText ? "public" : "internal" },
    )
    .job("slack.sync_announcement", { statusUpdateId: id })
    .result({}, { statusUpdateId: id });
}
