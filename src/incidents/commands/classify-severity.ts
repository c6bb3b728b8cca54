import { z } from "zod";
import { AppError } from "../../errors.js";
import { Change, type CommandContext, type CommandResult, loadIncident } from "../context.js";
import * as input from "../input.js";
import { authorize } from "../permissions.js";

export const classifySeverityInput = z.object({
  key: z.string(),
  severity: input.severity,
  reason: input.requiredText("a reason for the classification"),
  impacts: input.impacts.optional(),
  components: input.nameList("components").optional(),
  regions: input.nameList("regions").optional(),
  customersAffected: z.number().int().min(0, "Customers affected can't be negative.").nullable().optional(),
  assetRisk: input.text("the risk to affected assets").optional(),
});
export type ClassifySeverityInput = z.input<typeof classifySeverityInput>;

/** Classification may change as facts change, and may happen after the fact, so any status is allowed. */
export async function classifySeverity(ctx: CommandContext, raw: ClassifySeverityInput): Promise<CommandResult> {
  const i = input.parseInput(classifySeverityInput, raw);
  const { incident, roles } = await loadIncident(ctx, i.key);
  authorize("classifySeverity", ctx.actor, roles, incident.key);

  const scope = {
    components: i.components ?? incident.scope.components,
    regions: i.regions ?? incident.scope.regions,
    customersAffected: i.customersAffected === undefined ? incident.scope.customersAffected : i.customersAffected,
    customers: incident.scope.customers,
  };
  const impacts = i.impacts ?? incident.impacts;
  const assetRisk = i.assetRisk ?? incident.assetRisk;
  const unchanged =
    i.severity === incident.severity &&
    JSON.stringify(scope) === JSON.stringify(incident.scope) &&
    JSON.stringify(impacts) === JSON.stringify(incident.impacts) &&
    assetRisk === incident.assetRisk;
  if (unchanged) {
    throw new AppError("validation", `${incident.key} is already classified exactly like that.`, { field: "severity" });
  }

  return new Change(ctx, incident)
    .event("severity_classified", {
      from: incident.severity,
      to: i.severity,
      reason: i.reason,
      scope,
      impacts,
      assetRisk,
    })
    .sync()
    .result({ severity: i.severity, scope, impacts, assetRisk });
}
