// Ticking the recovery and resolution-communication checklists, and an
// admin's waiver of the recovery checklist. Each tick is a timeline event
// (who, when): the checklist is folded from them (checklists.ts).
import { z } from "zod";
import { AppError } from "../../errors.js";
import {
  CHECKLISTS,
  type ChecklistItem,
  commsChecklist,
  itemWords,
  openItems,
  RECOVERY_ITEMS,
  recoveryChecklist,
  recoveryReason,
  recoveryRequired,
  SIGN_OFF,
} from "../checklists.js";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { COMMUNICATIONS, type Incident, type RoleAssignment } from "../model.js";
import { authorize } from "../permissions.js";

export const tickChecklistInput = z.object({
  key: z.string(),
  list: z.enum(CHECKLISTS, { error: "There is a recovery checklist and a comms checklist." }),
  item: z.string().min(1).max(100),
  /** Recovery items are done; a party is told (done) or not applicable, with a reason. */
  state: z.enum(["done", "not_applicable"]).default("done"),
  reason: input.text("the reason").optional(),
});
export type TickChecklistInput = z.input<typeof tickChecklistInput>;

export async function tickChecklist(ctx: CommandContext, raw: TickChecklistInput): Promise<CommandResult> {
  const i = input.parseInput(tickChecklistInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  const item =
    i.list === "recovery" ? await recoveryItem(ctx, incident, roles, i.item) : await commsItem(ctx, incident, roles, i);
  if (item.state === i.state && (i.state === "done" || item.reason === (i.reason ?? null)))
    return { incidentId: incident.id, key: incident.key, eventIds: [], already: true, label: item.label };
  return new Change(ctx, incident)
    .event("checklist_ticked", {
      list: i.list,
      item: item.key,
      label: item.label,
      state: i.state,
      ...(i.state === "not_applicable" ? { reason: i.reason } : {}),
    })
    .result({}, { label: item.label });
}

async function recoveryItem(
  ctx: CommandContext,
  incident: Incident,
  roles: RoleAssignment[],
  key: string,
): Promise<ChecklistItem> {
  const spec = RECOVERY_ITEMS.find((x) => x.key === key);
  if (!spec) throw new AppError("validation", "That is not an item of the recovery checklist.");
  authorize(spec.may, ctx.actor, roles, incident.key);
  if (!recoveryRequired(incident)) {
    throw new AppError(
      "validation",
      `${incident.key} has no recovery checklist: it records no data loss, and nobody flagged data or processes as disrupted (\`/incident impact\`).`,
    );
  }
  const checklist = recoveryChecklist(await ctx.tx.listEvents(incident.id, ["checklist_ticked", "recovery_waived"]));
  const item = checklist.items.find((x) => x.key === key)!;
  // A sign-off vouches for the work above it, so it comes last.
  const before = openItems(checklist.items).filter((x) => x.key !== SIGN_OFF);
  if (key === SIGN_OFF && item.state === "open" && before.length) {
    throw new AppError("validation", `Sign-off comes last. Still open: ${itemWords(before)}.`);
  }
  return item;
}

async function commsItem(
  ctx: CommandContext,
  incident: Incident,
  roles: RoleAssignment[],
  i: z.output<typeof tickChecklistInput>,
): Promise<ChecklistItem> {
  // The communications lead owns what is said and to whom: they may tick it off as well as the IC.
  const isCommsLead = roles.some((r) => r.role === COMMUNICATIONS && r.userId === ctx.actor.userId && !r.endedAt);
  if (!isCommsLead) authorize("tickComms", ctx.actor, roles, incident.key);
  if (incident.status !== "resolved" && incident.status !== "closed") {
    throw new AppError(
      "invalid_transition",
      `${incident.key} is not resolved; who is told of the resolution is ticked off once it is.`,
    );
  }
  const checklist = commsChecklist(await ctx.tx.listEvents(incident.id, ["status_changed", "checklist_ticked"]));
  const item = checklist.items.find((x) => x.key === i.item);
  if (!item) throw new AppError("not_found", `That party is not on ${incident.key}'s resolution checklist.`);
  if (i.state === "not_applicable" && !i.reason) {
    throw new AppError("validation", `Say why ${item.label} need not be told.`, { field: "reason" });
  }
  // "Not applicable" for every customer and the status page is "none affected" by another name.
  if (i.state === "not_applicable" && item.kind !== "internal" && incident.impacts.includes("customer_facing")) {
    const outside = checklist.items.filter((x) => x.kind !== "internal" && x.key !== item.key);
    if (outside.every((x) => x.state === "not_applicable")) {
      throw new AppError(
        "validation",
        `${incident.key} is customer-facing: the customers or the public status page must hear it is resolved, so ${item.label} can't be “not applicable” too.`,
        { field: "reason" },
      );
    }
  }
  return item;
}

export const waiveRecoveryInput = z.object({
  key: z.string(),
  reason: input.requiredText("why the recovery checklist is not needed"),
});
export type WaiveRecoveryInput = z.input<typeof waiveRecoveryInput>;

/** Admins only: the policy asks for the recovery; skipping it is recorded with the reason. */
export async function waiveRecovery(ctx: CommandContext, raw: WaiveRecoveryInput): Promise<CommandResult> {
  const i = input.parseInput(waiveRecoveryInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("waiveRecovery", ctx.actor, roles, incident.key);
  if (!recoveryRequired(incident)) {
    throw new AppError("validation", `${incident.key} has no recovery checklist, so there is nothing to waive.`);
  }
  const checklist = recoveryChecklist(await ctx.tx.listEvents(incident.id, ["checklist_ticked", "recovery_waived"]));
  if (checklist.waiver) throw new AppError("validation", `${incident.key}'s recovery checklist is already waived.`);
  if (!openItems(checklist.items).length) {
    throw new AppError("validation", `${incident.key}'s recovery checklist is already done.`);
  }
  return new Change(ctx, incident)
    .event("recovery_waived", { reason: i.reason, open: openItems(checklist.items).map((x) => x.key) })
    .result();
}

/** The refusal to close while the recovery checklist is open, in plain words. */
export function recoveryOpenError(incident: Incident, open: readonly ChecklistItem[]): AppError {
  return new AppError(
    "recovery_required",
    `${incident.key} can't be closed yet: ${recoveryReason(incident)}, so the BCP/DR recovery checklist must be done first. Still open: ${itemWords(open)}. Tick them with \`/incident recovery\`; an admin can waive it with a reason.`,
  );
}
