import { DEFAULT_COMPANY_POLICY } from "./company-policy.js";
import type { ClassifiedSeverity, Severity } from "./model.js";

/** The default policy's definitions, verbatim. Where a person picks a severity, use the configured CompanyPolicy. */
export const SEVERITY_DEFINITIONS: Record<ClassifiedSeverity, { label: string; definition: string }> =
  DEFAULT_COMPANY_POLICY.severities;

export function severityLabel(s: Severity): string {
  return s === "unclassified" ? "Unclassified" : SEVERITY_DEFINITIONS[s].label;
}
