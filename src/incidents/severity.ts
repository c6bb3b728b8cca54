import type { ClassifiedSeverity, Severity } from "./model.js";

/** The policy's definitions, shown wherever a person picks a severity. */
export const SEVERITY_DEFINITIONS: Record<ClassifiedSeverity, { label: string; definition: string }> = {
  critical: {
    label: "Critical",
    definition:
      "Extreme or complete production outage, significantly degraded experience for more than half of users, or customer/critical data loss or corruption.",
  },
  high: {
    label: "High",
    definition:
      "Partial outage of some functionality or regions, degraded experience for multiple customers with no workaround, or suspected severe security breach.",
  },
  medium: {
    label: "Medium",
    definition:
      "Non-critical functionality loss or degradation for some customers with a possible short-term workaround, or detection of unauthorized activity.",
  },
  low: {
    label: "Low",
    definition: "No current or known customer impact.",
  },
};

export function severityLabel(s: Severity): string {
  return s === "unclassified" ? "Unclassified" : SEVERITY_DEFINITIONS[s].label;
}
