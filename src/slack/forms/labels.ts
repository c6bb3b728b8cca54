// Words for the domain's enumerations, shared by the forms that show them.
import type { CompanyPolicy } from "../../incidents/company-policy.js";
import { IMPACTS, type REPORT_SOURCES, SEVERITIES, type VENDOR_ANSWERS } from "../../incidents/model.js";
import { safe } from "../text.js";
import { type Block, context, type Option, option } from "../views/blocks.js";

export const IMPACT_LABELS: Record<(typeof IMPACTS)[number], string> = {
  outage: "Production outage",
  degraded_performance: "Degraded performance",
  data_loss: "Customer or critical data loss",
  security_breach: "Suspected security breach",
  customer_facing: "Customers can see it",
};
export const SOURCE_LABELS: Record<(typeof REPORT_SOURCES)[number], string> = {
  on_call: "On-call engineer",
  monitoring: "Monitoring alert",
  employee: "An employee",
  customer: "A customer",
  third_party: "A third party",
};
export const VENDOR_ANSWER_LABELS: Record<(typeof VENDOR_ANSWERS)[number], string> = {
  pending: "Asked, no answer yet",
  not_affected: "Not affected",
  compromised: "Compromised",
};

export const impactOptions = (): Option[] => IMPACTS.map((k) => option(IMPACT_LABELS[k], k));

/** The "data or processes disrupted" flag: one checkbox, beside the impacts wherever they are edited. */
export const disruptedOption = (): Option =>
  option("Data or processes disrupted", "disrupted", "The BCP/DR recovery checklist applies");

/** The severity choices: labels only, since an option's description is cut at 75 characters. */
export const severityOptions = (p: CompanyPolicy): Option[] => SEVERITIES.map((s) => option(p.severities[s].label, s));

/**
 * Each definition in full, as the policy words it: one context element per
 * severity (2,000 characters each), right under the choice.
 */
export const severityDefinitions = (p: CompanyPolicy): Block =>
  context(SEVERITIES.map((s) => `*${safe(p.severities[s].label, 100)}*: ${safe(p.severities[s].definition, 2000)}`));
