import { z } from "zod";
import { AppError } from "../../errors.js";
import { recoveryReason, recoveryRequired } from "../checklists.js";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { authorize } from "../permissions.js";

export const updateImpactInput = z.object({
  key: z.string(),
  impacts: input.impacts.optional(),
  components: input.nameList("components").optional(),
  regions: input.nameList("regions").optional(),
  customers: input.customers.optional(),
  disrupted: z.boolean().optional(),
  customersAffected: z
    .number({ error: "Customers affected must be a whole number." })
    .int("Customers affected must be a whole number.")
    .min(0, "Customers affected can't be negative.")
    .nullable()
    .optional(),
  assetRisk: input.text("the risk to affected assets").optional(),
  reason: input.text("the reason").optional(),
});
export type UpdateImpactInput = z.input<typeof updateImpactInput>;

/**
 * The blast radius as facts change: impacts, customers affected, components,
 * regions and the risk to affected assets, without touching the severity.
 * These feed the post-mortem rule and the measures reported over time, so
 * they may be corrected at any status, after the fact too.
 */
export async function updateImpact(ctx: CommandContext, raw: UpdateImpactInput): Promise<CommandResult> {
  const i = input.parseInput(updateImpactInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("updateImpact", ctx.actor, roles, incident.key);

  const before = {
    impacts: incident.impacts,
    components: incident.scope.components,
    regions: incident.scope.regions,
    customersAffected: incident.scope.customersAffected,
    customers: incident.scope.customers,
    disrupted: incident.disrupted,
    assetRisk: incident.assetRisk,
  };
  const after = {
    impacts: i.impacts ?? before.impacts,
    components: i.components ?? before.components,
    regions: i.regions ?? before.regions,
    customersAffected: i.customersAffected === undefined ? before.customersAffected : i.customersAffected,
    customers: i.customers ?? before.customers,
    disrupted: i.disrupted ?? before.disrupted,
    assetRisk: i.assetRisk ?? before.assetRisk,
  };
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of Object.keys(after) as (keyof typeof after)[]) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) changed[k] = { from: before[k], to: after[k] };
  }
  if (Object.keys(changed).length === 0) {
    throw new AppError("validation", `That is the impact already recorded for ${incident.key}; nothing changed.`);
  }
  const scope = {
    components: after.components,
    regions: after.regions,
    customersAffected: after.customersAffected,
    customers: after.customers,
  };
  const change = new Change(ctx, incident).event("impact_updated", { changed, reason: i.reason || null }).sync();
  // Data or processes disrupted now, and not before: the BCP/DR recovery checklist starts.
  if (recoveryRequired(after) && !recoveryRequired(before)) {
    change.event("recovery_checklist_opened", { reason: recoveryReason(after) });
  }
  return change.result({ impacts: after.impacts, scope, assetRisk: after.assetRisk, disrupted: after.disrupted });
}

const FIELD_WORDS: Record<string, string> = {
  impacts: "impact",
  components: "components",
  regions: "regions",
  customersAffected: "customers affected",
  customers: "named customers",
  disrupted: "data or processes disrupted",
  assetRisk: "risk to affected assets",
};

/** An impact_updated event's changes in words, e.g. "customers affected: 120 (was 3)". Plain text: escape it where shown. */
export function impactChangeWords(changed: unknown): string[] {
  if (!changed || typeof changed !== "object") return [];
  const show = (v: unknown) =>
    v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0)
      ? "none"
      : Array.isArray(v)
        ? v.join(", ")
        : typeof v === "boolean"
          ? v
            ? "yes"
            : "no"
          : String(v);
  return Object.entries(changed as Record<string, { from?: unknown; to?: unknown }>).map(([k, c]) =>
    k === "assetRisk" ? `${FIELD_WORDS[k]} rewritten` : `${FIELD_WORDS[k] ?? k}: ${show(c?.to)} (was ${show(c?.from)})`,
  );
}
