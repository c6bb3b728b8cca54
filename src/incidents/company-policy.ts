// The company's own words: what an incident is, the four severity
// definitions, and when a post-mortem is owed. The defaults are the policy's
// text verbatim (../shared/policy/001_291ff160df865b99.txt, "Incident
// classification"; a test compares them); a company may supply its own in a
// policy file (MUSTER_POLICY), checked against `companyPolicySchema`.
import { z } from "zod";
import { DEFAULT_ESCALATION, type EscalationPolicy, type InsufficientRule } from "./insufficient-response.js";
import { type ClassifiedSeverity, IMPACTS, type Impact, SEVERITIES } from "./model.js";
import { DEFAULT_NUDGES, type NudgePolicy } from "./nudges.js";

export interface CompanyPolicy {
  severities: Record<ClassifiedSeverity, { label: string; definition: string }>;
  incidentDefinition: string;
  vulnerabilityNote: string;
  /** A post-mortem is required when any listed impact is recorded or the severity is one of these. */
  postmortem: { impacts: Impact[]; severities: ClassifiedSeverity[] };
  /** What muster nudges about, how often, how many times. */
  nudges: NudgePolicy;
  /** When the response is not enough: the rules that offer the IC an escalation. */
  escalation: EscalationPolicy;
}

export const DEFAULT_COMPANY_POLICY: CompanyPolicy = {
  severities: {
    critical: {
      label: "Critical",
      definition:
        "Extreme or complete production outage, significantly degraded experience for >50% of Tailscale users, or customer or other critical data loss or corruption.",
    },
    high: {
      label: "High",
      definition:
        "Partial outage of some production functionality or in some regions, degraded experience for multiple customers with no workaround available, or suspected severe security breach.",
    },
    medium: {
      label: "Medium",
      definition:
        "Non-critical functionality loss or degradation for some customers, with possible short-term workaround, or detection of unauthorized activity.",
    },
    low: {
      label: "Low",
      definition: "No current or known customer impact.",
    },
  },
  incidentDefinition:
    "An incident is an adverse event which affects Tailscale’s infrastructure or business operations in such a way that it compromises our ability to deliver the service customers expect.",
  vulnerabilityNote:
    "A vulnerability is not necessarily an incident; for example, a vulnerability not being actively exploited may require action, but not expedited action beyond existing vulnerability remediation processes.",
  // "For incidents causing a production outage or loss of customer or other
  // critical data, a post-mortem is completed." Critical is defined as an
  // outage or a data loss, so a Critical incident owes one too.
  postmortem: { impacts: ["outage", "data_loss"], severities: ["critical"] },
  nudges: DEFAULT_NUDGES,
  escalation: DEFAULT_ESCALATION,
};

/** The policy a Policy carries, or the default when it carries none. */
export const companyPolicyOf = (policy: { company?: CompanyPolicy } | undefined): CompanyPolicy =>
  policy?.company ?? DEFAULT_COMPANY_POLICY;

// Whitespace in a YAML block scalar is layout, not meaning: one space between words.
const prose = (max: number) =>
  z
    .string({ error: "must be text" })
    .transform((s) => s.replace(/\s+/g, " ").trim())
    .pipe(z.string().min(1, "must not be empty").max(max, `must be at most ${max} characters`));

const severityEntry = z
  .object({ label: prose(24), definition: prose(2000) }, { error: "needs a label and a definition" })
  .strict();

const minutes = (max: number) =>
  z
    .number({ error: "must be a number of minutes" })
    .positive("must be more than 0")
    .max(max, `must be at most ${max}`)
    .transform((m) => Math.round(m * 60_000));

/** Numbers in minutes (people write "30", not milliseconds); each one left out keeps its default. */
const nudgesSchema = z
  .object({
    cap: z.number().int().min(0).max(20).optional(),
    updateEveryMinutes: z
      .object({
        critical: minutes(7 * 24 * 60),
        high: minutes(7 * 24 * 60),
        medium: minutes(7 * 24 * 60),
        low: minutes(7 * 24 * 60),
      })
      .strict()
      .optional(),
    classifyWithinMinutes: minutes(24 * 60).optional(),
    commsLeadWithinMinutes: minutes(24 * 60).optional(),
    vendorEveryMinutes: minutes(7 * 24 * 60).optional(),
    followUpEveryMinutes: minutes(30 * 24 * 60).optional(),
    commsUntoldEveryMinutes: minutes(7 * 24 * 60).optional(),
  })
  .strict()
  .transform(
    (n): NudgePolicy => ({
      cap: n.cap ?? DEFAULT_NUDGES.cap,
      updateEveryMs: n.updateEveryMinutes ?? DEFAULT_NUDGES.updateEveryMs,
      classifyWithinMs: n.classifyWithinMinutes ?? DEFAULT_NUDGES.classifyWithinMs,
      commsLeadWithinMs: n.commsLeadWithinMinutes ?? DEFAULT_NUDGES.commsLeadWithinMs,
      vendorEveryMs: n.vendorEveryMinutes ?? DEFAULT_NUDGES.vendorEveryMs,
      followUpEveryMs: n.followUpEveryMinutes ?? DEFAULT_NUDGES.followUpEveryMs,
      commsUntoldEveryMs: n.commsUntoldEveryMinutes ?? DEFAULT_NUDGES.commsUntoldEveryMs,
    }),
  );

const insufficientRuleSchema = z.discriminatedUnion(
  "rule",
  [
    z
      .object({
        rule: z.literal("not_mitigated"),
        severities: z.array(z.enum(SEVERITIES, { error: `severities are ${SEVERITIES.join(", ")}` })).min(1),
        afterMinutes: minutes(7 * 24 * 60),
      })
      .strict()
      .transform(
        (r): InsufficientRule => ({ kind: "not_mitigated", severities: r.severities, afterMs: r.afterMinutes }),
      ),
    z
      .object({ rule: z.literal("no_update"), cadences: z.number().min(1).max(20) })
      .strict()
      .transform((r): InsufficientRule => ({ kind: "no_update", cadences: r.cadences })),
  ],
  { error: "each rule is not_mitigated (severities, afterMinutes) or no_update (cadences)" },
);

const escalationSchema = z
  .object({
    rules: z.array(insufficientRuleSchema).optional(),
    answerWithinMinutes: minutes(24 * 60).optional(),
  })
  .strict()
  .transform(
    (e): EscalationPolicy => ({
      rules: e.rules ?? DEFAULT_ESCALATION.rules,
      answerWithinMs: e.answerWithinMinutes ?? DEFAULT_ESCALATION.answerWithinMs,
    }),
  );

/** A company's policy file, as read from YAML or JSON. Unknown keys are mistakes, not extensions. */
export const companyPolicySchema = z
  .object({
    severities: z
      .object(
        {
          critical: severityEntry,
          high: severityEntry,
          medium: severityEntry,
          low: severityEntry,
        },
        { error: "needs critical, high, medium and low" },
      )
      .strict()
      .optional(),
    incidentDefinition: prose(2000).optional(),
    vulnerabilityNote: prose(2000).optional(),
    postmortem: z
      .object({
        impacts: z.array(z.enum(IMPACTS, { error: `impacts are ${IMPACTS.join(", ")}` })).default([]),
        severities: z.array(z.enum(SEVERITIES, { error: `severities are ${SEVERITIES.join(", ")}` })).default([]),
      })
      .strict()
      .optional(),
    nudges: nudgesSchema.optional(),
    escalation: escalationSchema.optional(),
  })
  .strict()
  .transform(
    (p): CompanyPolicy => ({
      severities: p.severities ?? DEFAULT_COMPANY_POLICY.severities,
      incidentDefinition: p.incidentDefinition ?? DEFAULT_COMPANY_POLICY.incidentDefinition,
      vulnerabilityNote: p.vulnerabilityNote ?? DEFAULT_COMPANY_POLICY.vulnerabilityNote,
      postmortem: p.postmortem ?? DEFAULT_COMPANY_POLICY.postmortem,
      nudges: p.nudges ?? DEFAULT_COMPANY_POLICY.nudges,
      escalation: p.escalation ?? DEFAULT_COMPANY_POLICY.escalation,
    }),
  );
