import { type CompanyPolicy, DEFAULT_COMPANY_POLICY } from "./company-policy.js";
import type { ClassifiedSeverity, Severity } from "./model.js";

/** The default policy's definitions, verbatim. Where a person picks a severity, use the configured CompanyPolicy. */
export const SEVERITY_DEFINITIONS: Record<ClassifiedSeverity, { label: string; definition: string }> =
  DEFAULT_COMPANY_POLICY.severities;

/** A severity's name: the company policy's label (Critical, High… by default). */
export function severityLabel(s: Severity, company: CompanyPolicy = DEFAULT_COMPANY_POLICY): string {
  return s === "unclassified" ? "Unclassified" : company.severities[s].label;
}
