// muster shows the policy's own words wherever a person picks a severity or
// decides whether something is an incident: pinned here to the document.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { companyPolicySchema, DEFAULT_COMPANY_POLICY } from "../../src/incidents/company-policy.js";
import { SEVERITIES } from "../../src/incidents/model.js";
import { SEVERITY_DEFINITIONS } from "../../src/incidents/severity.js";
import { severityDefinitions } from "../../src/slack/forms/labels.js";

const POLICY = readFileSync(new URL("../../../shared/policy/001_291ff160df865b99.txt", import.meta.url), "utf8");
const normalise = (s: string) => s.replace(/\s+/g, " ").trim();

/** The classification table: each row's two cells, whitespace-normalised. */
function severityTable(): Record<string, string> {
  const rows = [...POLICY.matchAll(/<tr>\s*<td>([^<]*)<\/td>\s*<td>([^<]*)<\/td>\s*<\/tr>/g)];
  return Object.fromEntries(rows.map((m) => [normalise(m[1]!), normalise(m[2]!)]));
}

describe("the company policy's words", () => {
  it("has the four severity definitions verbatim from the policy document", () => {
    const table = severityTable();
    expect(Object.keys(table)).toEqual(["Critical", "High", "Medium", "Low"]);
    for (const s of SEVERITIES) {
      const { label, definition } = DEFAULT_COMPANY_POLICY.severities[s];
      expect(table[label]).toBe(definition);
      expect(SEVERITY_DEFINITIONS[s].definition).toBe(definition);
    }
    expect(DEFAULT_COMPANY_POLICY.severities.critical.definition).toContain(">50% of Tailscale users");
  });

  it("has the incident definition and the vulnerability note verbatim", () => {
    const text = normalise(POLICY);
    expect(text).toContain(DEFAULT_COMPANY_POLICY.incidentDefinition);
    expect(text).toContain(DEFAULT_COMPANY_POLICY.vulnerabilityNote);
    expect(DEFAULT_COMPANY_POLICY.incidentDefinition).toMatch(/^An incident is an adverse event/);
    expect(DEFAULT_COMPANY_POLICY.vulnerabilityNote).toMatch(/^A vulnerability is not necessarily an incident/);
  });

  it("shows each definition in full in the forms (not cut at an option's 75 characters)", () => {
    const block = JSON.stringify(severityDefinitions(DEFAULT_COMPANY_POLICY));
    for (const s of SEVERITIES) {
      const escaped = DEFAULT_COMPANY_POLICY.severities[s].definition.replace(/>/g, "&gt;");
      expect(block).toContain(escaped);
    }
  });

  it("reads a company's own policy file, normalising whitespace and refusing unknown keys", () => {
    const own = companyPolicySchema.parse({
      severities: {
        critical: { label: "SEV1", definition: "Everything\n  is down." },
        high: { label: "SEV2", definition: "A lot is down." },
        medium: { label: "SEV3", definition: "Some is down." },
        low: { label: "SEV4", definition: "Nothing is down." },
      },
      postmortem: { impacts: ["outage"], severities: ["critical", "high"] },
    });
    expect(own.severities.critical).toEqual({ label: "SEV1", definition: "Everything is down." });
    expect(own.postmortem).toEqual({ impacts: ["outage"], severities: ["critical", "high"] });
    expect(own.incidentDefinition).toBe(DEFAULT_COMPANY_POLICY.incidentDefinition);
    expect(companyPolicySchema.safeParse({ severity: {} }).success).toBe(false);
    expect(companyPolicySchema.safeParse({ postmortem: { impacts: ["fire"] } }).success).toBe(false);
    expect(companyPolicySchema.safeParse({ severities: { critical: { label: "X", definition: "Y" } } }).success).toBe(
      false,
    );
  });
});
