import { z } from "zod";
import { AppError } from "../../errors.js";
import {
  assertOpen,
  Change,
  type CommandContext,
  type CommandResult,
  DEFAULT_HANDOFF_TIMEOUT_MS,
  loadIncident,
} from "../context.js";
import * as input from "../input.js";
import { authorize, commanderOf } from "../permissions.js";

export const proposeHandoffInput = z.object({
  key: z.string(),
  toUserId: input.userId,
  /** Current state, what has been tried, open threads, next checkpoint. */
  note: input.requiredText("a hand-off note (current state, what was tried, open threads, next checkpoint)"),
});
export type ProposeHandoffInput = z.input<typeof proposeHandoffInput>;

/** The IC proposes; nothing changes hands until the successor accepts. A newer proposal replaces a pending one. */
export async function proposeHandoff(ctx: CommandContext, raw: ProposeHandoffInput): Promise<CommandResult> {
  const i = input.parseInput(proposeHandoffInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("proposeHandoff", ctx.actor, roles, incident.key);
  assertOpen(incident, "hand it off");
  const commander = commanderOf(roles);
  if (commander === i.toUserId) {
    throw new AppError("validation", "That person is already the Incident Commander; pick the successor.", {
      field: "toUserId",
    });
  }

  const pending = await ctx.tx.pendingHandoff(incident.id);
  if (pending) {
    await ctx.tx.answerHandoff(pending.id, { status: "cancelled", answeredAt: ctx.now, declineReason: null });
  }
  const handoffId = ctx.newId();
  await ctx.tx.insertHandoff({
    id: handoffId,
    incidentId: incident.id,
    fromUserId: commander ?? ctx.actor.userId,
    toUserId: i.toUserId,
    note: i.note,
    status: "pending",
    proposedBy: ctx.actor.userId,
    proposedAt: ctx.now,
    answeredAt: null,
    declineReason: null,
  });
  return new Change(ctx, incident)
    .event("handoff_proposed", {
      handoffId,
      fromUserId: commander,
      toUserId: i.toUserId,
      replacedHandoffId: pending?.id ?? null,
    })
    .job("slack.notify_user", { userId: i.toUserId, handoffId })
    .job(
      "slack.handoff_reminder",
      { handoffId },
      { delayMs: ctx.policy.handoffTimeoutMs ?? DEFAULT_HANDOFF_TIMEOUT_MS },
    )
    .result({}, { handoffId });
}
