import { z } from "zod";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { authorize } from "../permissions.js";

export const addTimelineNoteInput = z.object({
  key: z.string(),
  text: input.requiredText("the note", input.LIMITS.text),
  /** When the note copies a message from elsewhere (the "Add to incident timeline" shortcut). */
  source: z
    .object({
      authorId: input.userId.optional(),
      postedAt: input.date.optional(),
      permalink: z.string().url("The link to the message is not valid.").max(2048).optional(),
    })
    .optional(),
});
export type AddTimelineNoteInput = z.input<typeof addTimelineNoteInput>;

export async function addTimelineNote(ctx: CommandContext, raw: AddTimelineNoteInput): Promise<CommandResult> {
  const i = input.parseInput(addTimelineNoteInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("addNote", ctx.actor, roles, incident.key);
  const source = i.source
    ? {
        authorId: i.source.authorId ?? null,
        postedAt: i.source.postedAt?.toISOString() ?? null,
        permalink: i.source.permalink ?? null,
      }
    : null;
  return new Change(ctx, incident).event("note", { text: i.text, source }).result();
}
